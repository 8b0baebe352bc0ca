"""The pages: server-rendered views per area, their forms and urls.

Every page needs a login; each view names the roles it serves (403 for others).
Views read through priorauth.selectors and write through priorauth.services,
nothing else; a ServiceError a view does not show beside its form becomes a 4xx
page in one place (errors.py).
"""
