"""Settings from the environment: each reader names the variable when its value is bad,
so a wrong value stops start-up with a message instead of misbehaving later."""

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


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


def envtext(name: str, default: str) -> str:
    """A text the pages quote (the plan's name on the notices): never empty."""
    value = os.environ.get(name, default).strip()
    if not value:
        raise ImproperlyConfigured(f"{name} must not be empty")
    return value
