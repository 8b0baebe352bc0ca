"""The point-of-service quantity-limit rule, as a pure function.

Plain values in, a plain decision out: this module knows nothing about
Django, the database or the project, so the rule can be read, tested and
reasoned about on its own.  The adapters that load fills and overrides from
the database and turn a :class:`ClaimOutcome` into a claim response live
elsewhere.

The rule
--------
A paid claim supplies its quantity evenly over its days supply: ``q`` units
filled on day ``d`` for ``ds`` days cover days ``d .. d + ds - 1``, one
``q / ds`` share a day.  For a limit of ``max_quantity`` per ``per_days``
days, the *on hand* amount on day ``d`` is how much of the member's earlier
fills falls inside the window ``d .. d + per_days - 1``.

A claim of ``q`` units for ``ds`` days on day ``d`` passes a limit when

* rate:    ``q * per_days <= max_quantity * ds`` (a short days supply cannot
  be used to raise the rate), and
* on hand: ``on_hand(d) + q <= max_quantity``.

If the plain limit is not passed and the member holds an override for the
claim's channel, the same test is made with the override limit.

All arithmetic is exact (:class:`fractions.Fraction`): quantities such as
0.4 mL spread over 28 days are not representable in binary floating point,
and a rounding error at a limit boundary would wrongly reject or pay a claim.

The package: ``onhand`` holds the values and the arithmetic, ``wording`` the
sentences a pharmacist reads (the reject message). Callers import from here.
"""

from .onhand import (
    ClaimOutcome,
    Contribution,
    Fill,
    Limit,
    LimitTest,
    decide,
    earliest_date,
    on_hand,
    test_limit,
)
from .wording import describe_limit, describe_quantity, reject_message

__all__ = [
    "ClaimOutcome",
    "Contribution",
    "Fill",
    "Limit",
    "LimitTest",
    "decide",
    "describe_limit",
    "describe_quantity",
    "earliest_date",
    "on_hand",
    "reject_message",
    "test_limit",
]
