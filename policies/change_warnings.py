"""Warnings (not refusals) for a policy admin's save: what the save leaves inconsistent.

- **A grant against its criterion's text.** The text is the policy's words, quoted to
  members and prescribers ("approve a one-time override of 4 pens as a 28-day supply at
  retail"); the grants are what an approval really allows. When they disagree the text
  is probably out of date, or the grant was mistyped. The numbers written next to a unit
  word ("4 pens", "2 pens or syringes") and a length ("28-day", "per 28 days") are read
  with the channel they are said for; a text without such numbers gives no warning.
- **Overrides in force.** Each override keeps the grant copied onto it when it was
  approved (docs/domain.md, OverrideAllowance), so a changed grant or limit does not
  reach them: the admin is told how many there are and that they keep their grants.

Both are warnings because the admin may mean it (the text is corrected next, or the
overrides are meant to run out). See docs/decisions/0019-policy-admin-for-people.md.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .choices import Channel, plain_quantity

# Units a criterion's text may count in besides the policy's own products' units.
COMMON_UNITS = (
    "pen",
    "syringe",
    "autoinjector",
    "injector",
    "cartridge",
    "vial",
    "kit",
    "tablet",
    "capsule",
    "patch",
    "carton",
    "package",
    "pack",
    "box",
    "inhaler",
    "ml",
)
NUMBER_WORDS = {
    word: Decimal(value)
    for value, word in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()  # noqa: SIM905
    )
}
CHANNEL_WORDS = {
    "retail": Channel.RETAIL,
    "home delivery": Channel.HOME_DELIVERY,
    "home-delivery": Channel.HOME_DELIVERY,
    "mail order": Channel.HOME_DELIVERY,
    "mail-order": Channel.HOME_DELIVERY,
}
_NUMBER = r"(\d+(?:\.\d+)?|" + "|".join(NUMBER_WORDS) + r")"
_DAYS = re.compile(r"\b(\d+)[\s-]+(?:calendar[\s-]+)?days?\b", re.IGNORECASE)
_CHANNEL = re.compile(r"\b(" + "|".join(CHANNEL_WORDS) + r")\b", re.IGNORECASE)


@dataclass(frozen=True)
class StatedGrant:
    """A quantity the text states, with the days and channel it states it for (or None)."""

    quantity: Decimal
    unit: str
    days: int | None
    channel: str | None

    def describe(self) -> str:
        days = f" per {self.days} days" if self.days else ""
        channel = f" at {Channel(self.channel).label}" if self.channel else ""
        return f"{plain_quantity(self.quantity)} {self.unit}{days}{channel}"


def _quantity_pattern(units) -> re.Pattern:
    words = sorted({u.lower() for u in (*units, *COMMON_UNITS) if u}, key=len, reverse=True)
    unit = r"(?:" + "|".join(re.escape(w) for w in words) + r")(?:e?s)?"
    return re.compile(rf"\b{_NUMBER}\s+({unit}(?:\s+or\s+{unit})*)\b", re.IGNORECASE)


def stated_grants(text: str, units=()) -> list[StatedGrant]:
    """The quantities the text states, each with the days and channel said after it.

    Reading left to right: a quantity next to a unit word opens a statement; the next
    length ("28-day", "28 days") and channel ("at retail") before another quantity belong
    to it. "4 pens as a 28-day supply at retail or 6 pens as an 84-day supply at home
    delivery" states two grants.
    """
    marks = []
    for match in _quantity_pattern(units).finditer(text):
        number = match.group(1).lower()
        quantity = NUMBER_WORDS[number] if number in NUMBER_WORDS else Decimal(number)
        marks.append((match.start(), "quantity", (quantity, match.group(2))))
    marks += [(m.start(), "days", int(m.group(1))) for m in _DAYS.finditer(text)]
    marks += [
        (m.start(), "channel", CHANNEL_WORDS[m.group(1).lower()]) for m in _CHANNEL.finditer(text)
    ]
    stated: list[dict] = []
    for _, kind, value in sorted(marks, key=lambda mark: mark[0]):
        if kind == "quantity":
            stated.append({"quantity": value[0], "unit": value[1], "days": None, "channel": None})
        elif stated and stated[-1][kind] is None:
            stated[-1][kind] = value
    return [StatedGrant(**s) for s in stated if s["quantity"] > 0]


def grant_text_mismatches(
    *, number: int, text: str, grants: dict[str, tuple], units=()
) -> list[str]:
    """Sentences for each way the grants ({channel: (quantity, days)}) differ from the text."""
    problems = []
    for stated in stated_grants(text, units):
        channels = [stated.channel] if stated.channel else list(grants)
        if not any(_agrees(stated, grants.get(channel)) for channel in channels):
            problems.append(
                f"Criterion {number}'s text says {stated.describe()}, but "
                f"{_describe_grants(grants, channels)}. Check the grant, or update the text."
            )
    return problems


def _agrees(stated: StatedGrant, grant: tuple | None) -> bool:
    if grant is None:
        return False
    quantity, days = grant
    return stated.quantity == quantity and stated.days in (None, days)


def _describe_grants(grants: dict[str, tuple], channels: list[str]) -> str:
    given = [
        f"{plain_quantity(grants[c][0])} per {grants[c][1]} days at {Channel(c).label}"
        for c in channels
        if c in grants
    ]
    if not given:
        labels = " or ".join(Channel(c).label for c in channels) or "any channel"
        return f"it has no grant at {labels}"
    return "its grant is " + " and ".join(given)


def overrides_in_force_message(
    *, counts: dict[int, int], criteria: list[int], limits_changed: bool, applies_from: str
) -> str | None:
    """What a change of the grants of criteria numbered `criteria`, or of the limits, means
    for the overrides in force ({criterion number: count}); None when it meets none."""
    numbers = sorted(counts) if limits_changed else [n for n in sorted(counts) if n in criteria]
    met = sum(counts[n] for n in numbers)
    if not met:
        return None
    what = "the limits" if limits_changed else "the grant" + ("s" if len(criteria) > 1 else "")
    under = ", ".join(str(n) for n in numbers)
    if met == 1:
        keeps = f"1 override in force (approved under criterion {under}) keeps the grant it "
        keeps += f"was approved with until it ends: changing {what} does not change it."
    else:
        criteria = "criterion" if len(numbers) == 1 else "criteria"
        keeps = f"{met} overrides in force (approved under {criteria} {under}) keep the grants "
        keeps += f"they were approved with until they end: changing {what} does not change them."
    return f"{keeps} The new values apply to requests approved under this version {applies_from}."


def policy_page_warnings(policy, formsets, today: date) -> list[str]:
    """The warnings for a save of the policy page, once its rows are saved."""
    from priorauth.selectors import overrides_in_force_by_criterion

    from .forms import CriterionFormSet, LimitFormSet, grant_field_names

    grant_fields = {name for channel in Channel.values for name in grant_field_names(channel)}
    units = list(policy.products.values_list("unit", flat=True))
    warnings, changed_criteria, limits_changed = [], [], False
    for formset in formsets:
        if isinstance(formset, LimitFormSet):
            limits_changed = bool(
                formset.changed_objects or formset.new_objects or formset.deleted_objects
            )
        if not isinstance(formset, CriterionFormSet):
            continue
        # Not kept_forms(): after the save, is_valid() would re-check deleted rows.
        for index, form in enumerate(formset.forms):
            if not getattr(form, "cleaned_data", None) or form.cleaned_data.get("DELETE"):
                continue
            existed = index < formset.initial_form_count()  # a new criterion changed nothing
            number = form.cleaned_data["number"]
            warnings += grant_text_mismatches(
                number=number, text=form.cleaned_data["text"], grants=form.grants(), units=units
            )
            if existed and grant_fields & set(form.changed_data):
                changed_criteria.append(number)
    if changed_criteria or limits_changed:
        starts = max(today, policy.effective_from)
        applies_from = "from now on" if starts == today else f"from its first day, {starts}"
        counts = overrides_in_force_by_criterion(policy_code=policy.code, starts=starts, on=today)
        message = overrides_in_force_message(
            counts=counts,
            criteria=changed_criteria,
            limits_changed=limits_changed,
            applies_from=applies_from,
        )
        warnings += [message] if message else []
    return warnings
