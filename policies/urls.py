"""Policy screens beyond the admin (policy upload, history with diffs)."""

app_name = "policies"
urlpatterns: list = []
