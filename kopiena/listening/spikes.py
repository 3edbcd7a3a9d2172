"""Spike alerts (issue 11 item 5, R12): a query's hour that is far above its own normal.

"Normal" for an hour is the same hour of the week over the last ``baseline_weeks`` weeks (mentions follow a
weekly rhythm: Monday 9:00 is not Sunday 3:00). It is summarised robustly — median and median absolute
deviation (MAD) — so one earlier storm in the baseline does not hide the next one, which a mean and a
standard deviation would. Counts are small and Poisson-like, so the spread never goes below √median (or 1):
a jump from 2 to 6 mentions is noise, not a storm, even when the last weeks were all exactly 2.

Two kinds: VOLUME (mentions in the hour) and NEGATIVE (share of negative mentions, in percentage points;
it must also rise by at least ``negative_share_min_points``). An hour with fewer than ``min_mentions`` never
alerts. Each (query, kind, hour) alerts once: the run every few minutes updates the figures of an hour
already recorded but does not notify again. Counts come from ``HourlyVolume`` (kept by the store step), so
a run reads a few dozen small rows per workspace whatever the number of mentions.
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction
from django.utils.translation import gettext as _

from kopiena.audit.services import audit_record
from kopiena.core.clock import now
from kopiena.listening.models import HourlyVolume, ListeningQuery, Mention, MentionMatch, Spike, SpikeKind
from kopiena.policy.selectors import policy_current
from kopiena.teams.models import User, Workspace
from kopiena.teams.selectors import users_in_roles

MAD_TO_SIGMA = 1.4826  # MAD × this estimates the standard deviation of normally distributed data
EXAMPLES = 5


@dataclass(frozen=True)
class Verdict:
    observed: float
    baseline: float
    spread: float
    score: float
    is_spike: bool


def robust_baseline(values: Sequence[float]) -> tuple[float, float]:
    """(median, MAD) of ``values``; (0, 0) for none."""
    if not values:
        return 0.0, 0.0
    median = statistics.median(values)
    return float(median), float(statistics.median(abs(v - median) for v in values))


def volume_verdict(observed: int, history: Sequence[int], *, threshold: float, min_mentions: int) -> Verdict:
    median, mad = robust_baseline(history)
    spread = max(mad * MAD_TO_SIGMA, math.sqrt(median), 1.0)
    score = (observed - median) / spread
    return Verdict(observed, median, spread, score, observed >= min_mentions and score >= threshold)


def negative_verdict(
    *,
    mentions: int,
    negative: int,
    history: Sequence[tuple[int, int]],
    threshold: float,
    min_mentions: int,
    min_points: int,
) -> Verdict | None:
    """``history``: (mentions, negative) of the baseline hours; hours without mentions have no share."""
    shares = [100.0 * neg / total for total, neg in history if total]
    if mentions < min_mentions or not shares:
        return None
    observed = 100.0 * negative / mentions
    median, mad = robust_baseline(shares)
    spread = max(mad * MAD_TO_SIGMA, 1.0)
    score = (observed - median) / spread
    jump = observed - median
    return Verdict(observed, median, spread, score, score >= threshold and jump >= max(min_points, 1))


def hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=0, second=0, microsecond=0)


def spikes_detect(*, at: datetime | None = None) -> int:
    """Check the current and the previous hour of every query with alerts on; returns new spikes."""
    at = at or now()
    queries = ListeningQuery.objects.filter(enabled=True, alerts_enabled=True).select_related("workspace")
    by_workspace: dict[int, list[ListeningQuery]] = defaultdict(list)
    for query in queries:
        by_workspace[query.workspace_id].append(query)
    found = 0
    for workspace_queries in by_workspace.values():
        workspace = workspace_queries[0].workspace
        alerts = policy_current(workspace=workspace).listening.alerts
        if alerts.enabled:
            found += _detect_for_workspace(workspace, workspace_queries, alerts, at)
    return found


def _detect_for_workspace(workspace: Workspace, queries: list[ListeningQuery], alerts, at: datetime) -> int:
    current = hour_floor(at)
    hours = [current, current - timedelta(hours=1)]
    weeks = [timedelta(weeks=k) for k in range(1, alerts.baseline_weeks + 1)]
    wanted = {h - w for h in hours for w in [timedelta(0), *weeks]}
    counts = {
        (row.query_key, row.hour): (row.mentions, row.negative)
        for row in HourlyVolume.objects.filter(
            workspace=workspace, query_key__in=[q.pk for q in queries], hour__in=wanted
        )
    }
    found = 0
    for query in queries:
        for hour in hours:
            # A baseline needs at least one full week of this query's history.
            if query.created_at > hour - timedelta(weeks=1):
                continue
            mentions, negative = counts.get((query.pk, hour), (0, 0))
            history = [counts.get((query.pk, hour - w), (0, 0)) for w in weeks]
            verdicts = {
                SpikeKind.VOLUME: volume_verdict(
                    mentions, [m for m, _n in history], threshold=alerts.threshold,
                    min_mentions=alerts.min_mentions,
                ),
                SpikeKind.NEGATIVE: negative_verdict(
                    mentions=mentions, negative=negative, history=history, threshold=alerts.threshold,
                    min_mentions=alerts.min_mentions, min_points=alerts.negative_share_min_points,
                ),
            }  # fmt: skip
            for kind, verdict in verdicts.items():
                if verdict is not None and verdict.is_spike:
                    found += spike_record(
                        query=query, kind=kind, hour=hour, verdict=verdict, mentions=mentions, alerts=alerts
                    )
    return found


def spike_examples(*, query: ListeningQuery, hour: datetime, kind: str, limit: int = EXAMPLES) -> list[int]:
    """The mentions of that hour that reached most people (negative ones for a negative spike)."""
    matches = MentionMatch.objects.filter(
        query=query, published_at__gte=hour, published_at__lt=hour + timedelta(hours=1)
    )
    if kind == SpikeKind.NEGATIVE:
        matches = matches.filter(sentiment="negative")
    ids = matches.values_list("mention_id", flat=True)
    return list(
        Mention.objects.filter(pk__in=list(ids[:500]))
        .order_by("-author_followers", "-published_at", "-pk")
        .values_list("pk", flat=True)[:limit]
    )


@transaction.atomic
def spike_record(
    *, query: ListeningQuery, kind: str, hour: datetime, verdict: Verdict, mentions: int, alerts
) -> int:
    """Store the spike (or refresh an already recorded one); notify and audit only the first time.
    Returns 1 for a new spike, 0 otherwise."""
    figures = {
        "observed": verdict.observed,
        "baseline": verdict.baseline,
        "spread": verdict.spread,
        "score": verdict.score,
        "mentions": mentions,
        "example_ids": spike_examples(query=query, hour=hour, kind=kind),
    }
    spike, created = Spike.objects.select_for_update().get_or_create(
        query=query, kind=kind, hour=hour, defaults=figures
    )
    if not created:
        Spike.objects.filter(pk=spike.pk).update(**figures)
        return 0
    audit_record(
        actor=None,
        workspace=query.workspace,
        action="listening.spike_detect",
        obj=spike,
        after={"query": query.name, "kind": kind, "hour": hour, **figures},
    )
    people = spike_recipients(workspace=query.workspace, alerts=alerts)
    if people:
        _notify(query=query, spike=spike, people=people)
        Spike.objects.filter(pk=spike.pk).update(notified_at=now())
    return 1


def spike_recipients(*, workspace: Workspace, alerts) -> list[User]:
    people = list(users_in_roles(workspace=workspace, roles=alerts.notify_roles))
    if alerts.notify_people:
        members = User.objects.filter(
            username__in=alerts.notify_people, memberships__workspace=workspace
        ).distinct()
        people += [u for u in members if u not in people]
    return people


def _notify(*, query: ListeningQuery, spike: Spike, people: list[User]) -> None:
    from kopiena.notifications.services import notify

    name = query.name

    def title() -> str:
        if spike.kind == SpikeKind.NEGATIVE:
            return _("Negative mentions are surging for “%(query)s”") % {"query": name}
        return _("A storm of mentions for “%(query)s”") % {"query": name}

    def body() -> str:
        if spike.kind == SpikeKind.NEGATIVE:
            return _(
                "%(observed)s%% of this hour's %(mentions)s mentions are negative; normally about "
                "%(baseline)s%%. Open Listening to see the top examples."
            ) % {
                "observed": round(spike.observed),
                "mentions": spike.mentions,
                "baseline": round(spike.baseline),
            }
        return _(
            "%(observed)s mentions this hour; normally about %(baseline)s at this hour of the week. "
            "Open Listening to see the top examples."
        ) % {"observed": round(spike.observed), "baseline": round(spike.baseline)}

    notify(workspace_id=query.workspace_id, recipients=people, kind="listening.spike", title=title, body=body)


def recent_spikes(*, workspace: Workspace, days: int = 7, at: datetime | None = None) -> list[dict]:
    """Storms of the last ``days`` for the Listening page, newest first, each with its example mentions."""
    since = hour_floor(at or now()) - timedelta(days=days)
    spikes = list(
        Spike.objects.filter(query__workspace=workspace, hour__gte=since).select_related("query")[:20]
    )
    example_ids = {pk for s in spikes for pk in s.example_ids}
    examples = Mention.objects.filter(workspace=workspace, pk__in=example_ids).in_bulk()
    return [
        {"spike": s, "examples": [examples[pk] for pk in s.example_ids if pk in examples]} for s in spikes
    ]
