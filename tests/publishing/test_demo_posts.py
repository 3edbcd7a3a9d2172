from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from kopiena.core import demo
from kopiena.core.clock import now
from kopiena.publishing.demo import DEMO_CAMPAIGN
from kopiena.publishing.models import Delivery, Post, PostState


@pytest.mark.django_db
def test_demo_plans_a_week_once_and_the_first_post_goes_out_within_a_minute():
    demo.demo_load()
    demo.demo_load()
    posts = Post.objects.filter(campaign=DEMO_CAMPAIGN)
    assert posts.count() == 7
    assert posts.filter(state=PostState.IN_REVIEW).count() == 1  # the freelancer's draft awaits review
    texts = " ".join(posts.values_list("text", flat=True))
    assert "Labrīt" in texts and "кофе" in texts and "Throwback" in texts  # Latvian, Russian and English
    soon = Delivery.objects.filter(post__campaign=DEMO_CAMPAIGN, due_at__lte=now() + timedelta(minutes=2))
    assert soon.count() == 1
    scheduled = posts.filter(state=PostState.SCHEDULED).exclude(pk=soon.get().post_id)
    # each themed post lands on its weekday (C1), in the workspace's time zone
    riga = ZoneInfo("Europe/Riga")
    weekdays = {p.theme: p.scheduled_at.astimezone(riga).weekday() for p in scheduled}
    assert weekdays["Tuesday tip"] == 1
    assert weekdays["Throwback Thursday"] == 3
