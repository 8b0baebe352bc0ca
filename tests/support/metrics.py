"""A known week of requests, decisions and appeals for the reporting figures (domain.md §11).

Built through the services with the clock frozen at each step, in the plan's zone
(America/New_York in tests: the week starts the day after the autumn clock change).
The figures each test expects are worked out by hand in tests/selectors/test_metrics.py.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings

from policies.files import load_policy_document, parse_policy_text
from priorauth import services
from tests.support import factories
from tests.support.paths import KESIMPTA_FILE

MONDAY = date(2026, 11, 2)
START, END = MONDAY, MONDAY + timedelta(days=6)  # the range: Monday to Sunday
MEDICARE_CODE = "medicare-kesimpta-dqm"
INITIATING = {"reason": "initiating treatment"}


def local(day_offset: int, hour: int, minute: int = 0) -> datetime:
    """A moment `day_offset` days after MONDAY at hour:minute in the plan's zone."""
    day = MONDAY + timedelta(days=day_offset)
    return datetime.combine(day, time(hour, minute), tzinfo=ZoneInfo(settings.TIME_ZONE))


# "Now" for the clocks: the Monday after the range, noon.
NOW = local(7, 12)


def at(moment: datetime):
    return time_machine.travel(moment, tick=False)


def medicare_kesimpta():
    """The Kesimpta policy again, under another code, for Medicare members."""
    text = KESIMPTA_FILE.read_text()
    edited = text.replace("code: cigna-ms-kesimpta-dqm", f"code: {MEDICARE_CODE}").replace(
        "line_of_business: commercial", "line_of_business: medicare"
    )
    assert MEDICARE_CODE in edited and "line_of_business: medicare" in edited
    return load_policy_document(parse_policy_text(edited), reason="a Medicare book").policy


@dataclass
class Week:
    requests: dict[str, object] = field(default_factory=dict)
    appeals: dict[str, object] = field(default_factory=dict)


def _submit(week: Week, name: str, when: datetime, *, by, **fields):
    with at(when):
        lob = fields.pop("line_of_business", "commercial")
        factories.member(name, line_of_business=lob)
        week.requests[name] = factories.kesimpta_request(name, submitted_by=by, **fields)
    return week.requests[name]


def _decide(request, when: datetime, outcome: str, *, by):
    fields = {"criterion_number": 1} if outcome == "approve" else {"reason": "Not initiating."}
    with at(when):
        services.override_request_decide(request_id=request.pk, outcome=outcome, by=by, **fields)


def _appeal(week: Week, name: str, when: datetime, *, by, urgency: str = "standard"):
    with at(when):
        week.appeals[name] = factories.appeal(week.requests[name], by=by, urgency=urgency)
    return week.appeals[name]


def build_week(*, intake, pharmacist, pharmacist2, physician) -> Week:
    """The known week (hours to decision in brackets; due: standard 72 h, expedited 24 h):

    in the range, Monday 2 to Sunday 8 November 2026
      R1 standard   Mon 09:00, approved Tue 09:00 (24)
      R2 standard   Mon 10:00, denied Fri 10:00 (96, late); appeal overturned Sat
      R3 expedited  Tue 12:00, denied Tue 18:00 (6); appeal upheld by the physician
      R4 standard   Wed 12:00, approved automatically on receipt (0)
      R5 expedited  Wed 08:00, withdrawn Wed 09:00
      R6 standard   Thu 12:00, Medicare member and policy, approved Thu 14:00 (2)
      R7 expedited  Sat 12:00, open: due Sun 12:00, past due now
      R8 standard   Fri 20:00, open: due next Mon 20:00, due within 24 h of now
      R9 standard   Sun 23:59, open, due Wed 23:59 (the range's last minute)
    outside it
      O1 standard   Sun 1 Nov 23:30, denied Mon 2 Nov 08:00; expedited appeal filed
                    Fri 14:00, open, due next Mon 14:00 (within 24 h of now)
      O2 standard   Fri 30 Oct 12:00, open, due Mon 2 Nov 11:00: past due now
      O3 standard   Sat 31 Oct 12:00, denied; expedited appeal filed Tue 12:00, due Fri 12:00,
                    open: past due now
      O4 standard   Mon 9 Nov 00:30 (the day after the range), open
    now: Monday 9 November, noon
    """
    week = Week()
    medicare_kesimpta()
    r1 = _submit(week, "R1", local(0, 9), by=intake)
    _decide(r1, local(1, 9), "approve", by=pharmacist)
    r2 = _submit(week, "R2", local(0, 10), by=intake)
    _decide(r2, local(4, 10), "deny", by=pharmacist)
    _appeal(week, "R2", local(4, 11), by=intake)
    with at(local(5, 9)):
        services.appeal_decide(
            appeal_id=week.appeals["R2"].pk, outcome="overturn", criterion_number=1, by=pharmacist2
        )
    r3 = _submit(week, "R3", local(1, 12), by=intake, urgency="expedited")
    _decide(r3, local(1, 18), "deny", by=pharmacist)
    _appeal(week, "R3", local(2, 9), by=intake)
    with at(local(3, 9)):
        services.appeal_decide(
            appeal_id=week.appeals["R3"].pk, outcome="uphold", reason="Still not met.", by=physician
        )
    _submit(week, "R4", local(2, 12), by=intake, answers=INITIATING)
    r5 = _submit(week, "R5", local(2, 8), by=intake, urgency="expedited")
    with at(local(2, 9)):
        services.override_request_withdraw(request_id=r5.pk, reason="Sent twice.", by=intake)
    r6 = _submit(week, "R6", local(3, 12), by=intake, line_of_business="medicare")
    _decide(r6, local(3, 14), "approve", by=pharmacist)
    _submit(week, "R7", local(5, 12), by=intake, urgency="expedited")
    _submit(week, "R8", local(4, 20), by=intake)
    _submit(week, "R9", local(6, 23, 59), by=intake)
    o1 = _submit(week, "O1", local(-1, 23, 30), by=intake)
    _decide(o1, local(0, 8), "deny", by=pharmacist)
    _appeal(week, "O1", local(4, 14), by=intake, urgency="expedited")
    _submit(week, "O2", local(-3, 12), by=intake)
    o3 = _submit(week, "O3", local(-2, 12), by=intake)
    _decide(o3, local(-2, 13), "deny", by=pharmacist)
    _appeal(week, "O3", local(1, 12), by=intake, urgency="expedited")
    _submit(week, "O4", local(7, 0, 30), by=intake)
    return week
