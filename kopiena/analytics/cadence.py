"""Cadence kept (M1: don't post too often): per account, posts published, the busiest local day, and how
many days and Monday-weeks went over the policy's limits.

Summed in the database: two years of 100 accounts are 73,000 (account, day) sums, which took 148 ms (p95,
SQLite) to fetch and fold in Python; folded here in one statement, with each account's limits passed in,
117 ms — what is left is SQLite grouping those rows (docs/analytics.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db import connection

from kopiena.integrations.models import ConnectedAccount
from kopiena.policy.selectors import policy_current


@dataclass(frozen=True)
class CadenceLine:
    account_id: int
    posts: int
    busiest_day: int  # most posts on one local day
    days_over: int  # days above the policy's max_per_day
    weeks_over: int  # Monday-weeks above max_per_week
    max_per_day: int | None
    max_per_week: int | None


def cadence_kept(*, workspace, start: date, end: date, account_id: int | None = None) -> list[CadenceLine]:
    """One line per account that published in [start, end], by account id."""
    from kopiena.policy import evaluators

    policy = policy_current(workspace=workspace)
    accounts = ConnectedAccount.objects.filter(workspace=workspace)
    if account_id:
        accounts = accounts.filter(pk=account_id)
    rules = {
        pk: evaluators.cadence_for(policy, f"{platform}:{pk}").rule
        for pk, platform in accounts.values_list("pk", "platform")
    }
    if not rules:
        return []
    lines = []
    for pk, posts, busiest, days_over, weeks_over in _fold(workspace.pk, start, end, account_id, rules):
        rule = rules[pk]
        lines.append(
            CadenceLine(
                pk,
                int(posts),
                int(busiest),
                int(days_over),
                int(weeks_over),
                rule.max_per_day,
                rule.max_per_week,
            )
        )
    return lines


def _cap(limits: dict[int, int]) -> tuple[str, list[int]]:
    """A CASE giving each account's limit (0: none) and its parameters."""
    return "CASE account_id " + " ".join("WHEN %s THEN %s" for _ in limits) + " ELSE 0 END", [
        value for pk, limit in limits.items() for value in (pk, limit)
    ]


def _fold(workspace_id: int, start: date, end: date, account_id: int | None, rules: dict) -> list[tuple]:
    """(account, posts, busiest day, days over, weeks over) per account with posts, in one pass over the
    rollup: posts summed per local day, the days per Monday-week, the weeks per account."""
    day_cap, day_params = _cap({pk: rule.max_per_day or 0 for pk, rule in rules.items()})
    week_cap, week_params = _cap({pk: rule.max_per_week or 0 for pk, rule in rules.items()})
    only_account = "AND account_id = %s" if account_id else ""
    sql = f"""
        SELECT account_id, SUM(posts), MAX(busiest), SUM(days_over),
               SUM(CASE WHEN week_cap > 0 AND posts > week_cap THEN 1 ELSE 0 END)
        FROM (
            SELECT account_id, SUM(n) AS posts, MAX(n) AS busiest,
                   SUM(CASE WHEN {day_cap} > 0 AND n > {day_cap} THEN 1 ELSE 0 END) AS days_over,
                   {week_cap} AS week_cap
            FROM (
                SELECT account_id, day, week, SUM(posts) AS n
                FROM analytics_engagementday
                WHERE workspace_id = %s AND day >= %s AND day <= %s {only_account}
                GROUP BY account_id, day, week
            ) per_day
            GROUP BY account_id, week
        ) per_week
        GROUP BY account_id
        HAVING SUM(posts) > 0
        ORDER BY account_id
    """  # noqa: S608  (only our own SQL fragments are formatted in; every value is a parameter)
    params = [
        *day_params,
        *day_params,
        *week_params,
        workspace_id,
        start,
        end,
        *([account_id] if account_id else []),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()
