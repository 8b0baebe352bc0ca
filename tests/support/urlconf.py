"""Every URL pattern of the project, as a route string that can be filled into a path.

`routes()` walks the URLconf (pages, API, admin, policies); a Route's `route` is the
patterns joined, e.g. "api/v1/members/<str:member_id>/" or, for a regular expression,
"admin/priorauth/member/^([^/]+)/history/([^/]+)/$". `path()` fills it in.
"""

import re
from dataclasses import dataclass

from django.urls import URLResolver, get_resolver

# <int:request_id> or <id>, or a regex group, named or not (none nested in the URLconf).
_PARAMETER = re.compile(r"<(?:\w+:)?(?P<converter>\w+)>|\((?:\?P<(?P<group>\w+)>)?[^()]*\)")


@dataclass(frozen=True)
class Route:
    route: str
    name: str | None

    @property
    def parameters(self) -> tuple[str, ...]:
        """Named parameters in order; an unnamed regex group is "" (filled by position)."""
        return tuple(m["converter"] or m["group"] or "" for m in _PARAMETER.finditer(self.route))

    def path(self, *positional, **named) -> str:
        """The path with each parameter filled in: named by name, unnamed by position."""
        given = iter(positional)

        def fill(match: re.Match) -> str:
            name = match["converter"] or match["group"]
            return str(named[name] if name else next(given))

        return "/" + _PARAMETER.sub(fill, self.route).replace("^", "").replace("$", "")


def _walk(patterns, prefix: str = "", namespace: str = ""):
    for pattern in patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, route, inner)
        else:
            yield Route(route, f"{namespace}{pattern.name}" if pattern.name else None)


def routes() -> list[Route]:
    """Every URL pattern of the project's URLconf, in resolution order."""
    return list(_walk(get_resolver().url_patterns))
