"""Property: the proposed slot breaks no cadence rule, and no earlier moment after the candidate was free.

Everything is on a 5-minute grid (planned posts, gaps, quiet-hour edges, the candidate), so whether a
moment is allowed can only change on that grid and scanning it is exact.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from kopiena.policy.evaluators import check_cadence, nearest_allowed_slot
from kopiena.policy.schema import PolicyDocument

ZONE = ZoneInfo("Europe/Riga")
# Around the end of summer time (2026-10-25), so DST is exercised too.
START = datetime(2026, 10, 19, 0, 0, tzinfo=ZONE)
GRID = timedelta(minutes=5)
HORIZON_DAYS = 4

clock = st.integers(0, 24 * 12 - 1).map(lambda n: f"{n // 12:02d}:{n % 12 * 5:02d}")
quiet = st.tuples(clock, clock).filter(lambda w: w[0] != w[1]).map(lambda w: {"start": w[0], "end": w[1]})
rules = st.fixed_dictionaries(
    {
        "max_per_day": st.none() | st.integers(1, 4),
        "max_per_week": st.none() | st.integers(4, 12),
        "min_gap_minutes": st.integers(0, 48).map(lambda n: n * 5),
        "quiet_hours": st.lists(quiet, max_size=2),
    }
)
moments = st.integers(0, 14 * 24 * 12).map(lambda n: (START + n * GRID).astimezone(ZONE))


@settings(max_examples=60, deadline=None)
@given(rule=rules, planned=st.lists(moments, max_size=12), candidate=moments)
def test_nearest_slot_is_allowed_and_nothing_earlier_is(rule, planned, candidate):
    policy = PolicyDocument.model_validate({"publishing": {"cadence": {"default": rule}}})
    slot = nearest_allowed_slot(policy, "x:1", planned, candidate, ZONE, horizon_days=HORIZON_DAYS)
    end = slot if slot is not None else candidate + timedelta(days=HORIZON_DAYS)
    moment = candidate
    while moment < end:
        assert check_cadence(policy, "x:1", planned, moment, ZONE), f"{moment} was free before {slot}"
        moment += GRID
    if slot is not None:
        assert slot >= candidate
        assert check_cadence(policy, "x:1", planned, slot, ZONE) == []
