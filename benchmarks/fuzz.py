"""A bounded fuzz of every API operation as every role, against the running server:
how many answers were server errors (5xx). Schemathesis generates the requests from the
schema the server itself serves, valid and invalid, derandomized so runs compare.
"""

import contextlib
from dataclasses import dataclass

from benchmarks.report import say

EXAMPLES = {True: 10, False: 40}  # per operation and mode, quick / full


@dataclass(frozen=True)
class FuzzResult:
    requests: int
    server_errors: int
    roles: int


def server_errors(base: str, tokens: dict[str, str], *, quick: bool) -> FuzzResult:
    import requests
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis.errors import Unsatisfiable
    from schemathesis.generation import GenerationMode

    any_token = next(iter(tokens.values()))
    document = requests.get(
        f"{base}/api/v1/schema/?format=json",
        headers={"Authorization": f"Token {any_token}"},
        timeout=30,
    ).json()
    schema = schemathesis.openapi.from_dict(document)
    callers = {role: {"Authorization": f"Token {token}"} for role, token in tokens.items()}
    callers["anonymous"] = {}
    counts = {"requests": 0, "errors": 0}
    session = requests.Session()
    examples = EXAMPLES[quick]

    for result in schema.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @settings(
                max_examples=examples,
                derandomize=True,
                database=None,
                deadline=None,
                suppress_health_check=list(HealthCheck),
            )
            @given(case=operation.as_strategy(generation_mode=mode))
            def send(case):
                for name, headers in callers.items():
                    response = case.call(base_url=base, session=session, headers=headers)
                    counts["requests"] += 1
                    if response.status_code >= 500:
                        counts["errors"] += 1
                        say(f"  5xx: {name} {case.method} {case.formatted_path}")

            # Unsatisfiable: nothing invalid can be made for it (no parameters, no body).
            with contextlib.suppress(Unsatisfiable):
                send()
    return FuzzResult(counts["requests"], counts["errors"], roles=len(callers))
