"""Reading settings from the environment: each helper names the variable when its value is
bad, so start-up stops with a message saying which (priorauth/settings.py)."""

import json
import os

from django.core.exceptions import ImproperlyConfigured


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envcount(name: str, default: str) -> int:
    value = envint(name, default)
    if value < 1:
        raise ImproperlyConfigured(f"{name} must be a whole number of at least 1, not {value}")
    return value


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envjson_object(name: str) -> dict:
    """A JSON object (a storage backend's OPTIONS); empty when the variable is unset."""
    raw = os.environ.get(name, "").strip()
    if not raw:
        return {}
    try:
        value = json.loads(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {raw!r}") from None
    if not isinstance(value, dict):
        raise ImproperlyConfigured(f"{name} must be a JSON object, not {raw!r}")
    return value


def envtext(name: str, default: str) -> str:
    """A text the pages quote (the plan's name on the notices): never empty."""
    value = os.environ.get(name, default).strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must not be empty")
    return value
