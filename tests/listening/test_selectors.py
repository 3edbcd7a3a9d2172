"""The Listening page's reads: the volume chart per local day from the hourly rollup, share of voice, and
keyset pages (a bad cursor is page one, never an error)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from kopiena.listening.models import HourlyVolume, ListeningQuery, ListeningSource, Mention, SourceKind
from kopiena.listening.selectors import mentions_page, share_of_voice, volume_series

pytestmark = pytest.mark.django_db
AT = datetime(2026, 12, 4, 12, tzinfo=UTC)


def test_volume_is_summed_per_local_day(workspace):
    query = ListeningQuery.objects.create(workspace=workspace, name="Q", expression="kafija")
    rows = [
        (datetime(2026, 12, 1, 10, tzinfo=UTC), 3, 1, 2, 0),
        (datetime(2026, 12, 1, 21, tzinfo=UTC), 2, 0, 1, 1),  # 23:00 in Riga: still 1 December
        (datetime(2026, 12, 1, 22, tzinfo=UTC), 5, 5, 0, 0),  # 00:00 in Riga: 2 December
        (datetime(2026, 6, 1, 10, tzinfo=UTC), 99, 0, 0, 0),  # outside the 90 days
    ]
    for hour, mentions, negative, neutral, positive in rows:
        HourlyVolume.objects.create(workspace=workspace, query_key=query.pk, hour=hour, mentions=mentions,
                                    negative=negative, neutral=neutral, positive=positive)  # fmt: skip
    with timezone.override("Europe/Riga"):
        series = volume_series(workspace=workspace, query_ids=[query.pk], days=90, at=AT)[query.pk]
    assert [(p["day"].date().isoformat(), p["mentions"], p["negative"], p["neutral"], p["positive"])
            for p in series] == [("2026-12-01", 5, 1, 3, 1), ("2026-12-02", 5, 5, 0, 0)]  # fmt: skip
    assert share_of_voice(workspace=workspace, days=30, at=AT) == [("Q", 10)]


def test_keyset_pages_and_a_bad_cursor(workspace):
    source = ListeningSource.objects.create(workspace=workspace, kind=SourceKind.FEED, name="F",
                                            feed_url="https://news.example/feed")  # fmt: skip
    same_time = AT - timedelta(hours=1)
    for n in range(5):  # equal times: the id breaks the tie, nothing is skipped or repeated
        Mention.objects.create(workspace=workspace, source=source, external_id=f"e{n}", platform="rss",
                               published_at=same_time, fetched_at=AT)  # fmt: skip
    first, cursor = mentions_page(workspace=workspace, size=2)
    second, cursor2 = mentions_page(workspace=workspace, size=2, after=cursor)
    third, end = mentions_page(workspace=workspace, size=2, after=cursor2)
    assert [m.external_id for m in first + second + third] == ["e4", "e3", "e2", "e1", "e0"] and end == ""
    for bad in ("nonsense", "1e999_1", "_", "12_x"):
        assert [m.external_id for m in mentions_page(workspace=workspace, size=2, after=bad)[0]] == [
            "e4",
            "e3",
        ]
