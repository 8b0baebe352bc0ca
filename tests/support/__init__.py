"""What the tests share, by subject. Test modules and conftest files import from here only.

paths         where things are: the project root, the shipped policy files, artifacts
services      the PostgreSQL / Redis / Chromium gates (REQUIRE_SERVICES, REDIS_URL, CHROMIUM)
cast          the fixed cast of users: make_user, staff_client, token_client, token_headers
data          verbatim texts tests compare against (SEED_CRITERION)
steps         steps that drive the HTTP API (and at_noon, KESIMPTA_NDC, VALID_NPI)
scenarios     running a scenario file's steps; assert_claim_as_expected
factories     domain objects built through the services (members, requests, approvals, claims)
policy_admin  POST data for the policy admin page (change_form_data)
rows          row_counts: every model's rows, to assert that nothing was written
browser       Playwright: launch arguments, viewport, log_in
urlconf       every URL pattern of the project as a route that can be filled into a path
phi           distinctive members shown everywhere (build_world), clients per role
"""
