"""What the generated hostile-input tests throw at every parameter, and how many times."""

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Values that broke or nearly broke something once: empty, null-ish, signs, exponent
# overflow, non-ASCII digits, past any database integer, huge, NUL raw and escaped,
# the edges of Unicode, an injection attempt.
ODD_VALUES = [
    "",
    "null",
    "-1",
    "0",
    "1",
    "1e999",
    "NaN",
    "²",
    "١٢",
    "9" * 30,
    "9" * 5000,
    "\x00",
    "%00",
    "'",
    "\ud7ff",
    "\U0010ffff",
    "' OR 1=1 --",
]

VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(min_value=-1000, max_value=1000).map(str),
    st.integers(min_value=2**63, max_value=10**30).map(str),  # past any database integer
    st.sampled_from(ODD_VALUES),
)

# Bounded and the same every run, so CI compares like with like.
GENERATED = settings(
    max_examples=50,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def values_with(*extra: str):
    """VALUES plus values that mean something to one parameter (a status, an NDC)."""
    return st.one_of(VALUES, st.sampled_from(list(extra)))
