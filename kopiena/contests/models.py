"""Contests (issue 14): a contest on some posts, its versioned regulations, the entries collected from the
posts' comments with an eligibility decision each, and the draw's rounds and winners."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kopiena.core.models import TimeStampedModel, WorkspaceScopedModel


def _public_id() -> str:
    return secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")


class ContestState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    APPROVED = "approved", _("Approved")
    RUNNING = "running", _("Running")
    CLOSED = "closed", _("Closed")
    DRAWN = "drawn", _("Drawn")
    ANNOUNCED = "announced", _("Announced")


class Mechanic(models.TextChoices):
    COMMENT = "comment", _("Comment under the post")
    KEYWORD = "keyword", _("Comment with a keyword or hashtag")
    QUIZ = "quiz", _("Answer a quiz question")
    TAG_FRIENDS = "tag_friends", _("Tag friends in a comment")


class QuizJudging(models.TextChoices):
    PATTERN = "pattern", _("By a pattern")
    MANUAL = "manual", _("By hand")


class Contest(WorkspaceScopedModel):
    public_id = models.CharField(max_length=24, unique=True, default=_public_id, editable=False)
    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("description"), blank=True)
    state = models.CharField(
        _("state"), max_length=12, choices=ContestState.choices, default=ContestState.DRAFT
    )
    accounts = models.ManyToManyField("integrations.ConnectedAccount", related_name="+", blank=True)
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    timezone = models.CharField(_("time zone"), max_length=64)
    prizes = models.JSONField(_("prizes"), default=list, blank=True)
    winners_count = models.PositiveIntegerField(_("number of winners"), default=1)
    mechanic = models.CharField(
        _("how to enter"), max_length=12, choices=Mechanic.choices, default=Mechanic.COMMENT
    )
    keyword = models.CharField(_("keyword or hashtag"), max_length=80, blank=True)
    quiz_question = models.CharField(_("quiz question"), max_length=300, blank=True)
    quiz_judging = models.CharField(
        _("quiz judged"), max_length=8, choices=QuizJudging.choices, default=QuizJudging.PATTERN
    )
    quiz_pattern = models.CharField(_("right answer (pattern)"), max_length=200, blank=True)
    tag_friends = models.PositiveSmallIntegerField(_("friends to tag"), default=0)
    # eligibility
    one_entry_per_person = models.BooleanField(_("one entry per person"), default=True)
    min_account_age_days = models.PositiveIntegerField(_("minimum account age (days)"), null=True, blank=True)
    excluded_handles = models.JSONField(_("excluded staff and partner accounts"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    min_age = models.PositiveSmallIntegerField(
        _("entrants must confirm they are at least"), null=True, blank=True
    )
    # what the regulations say
    organiser = models.CharField(_("organiser"), max_length=200, blank=True)
    organiser_contact = models.CharField(_("organiser's contact"), max_length=200, blank=True)
    who_may_enter = models.TextField(_("who may enter"), blank=True)
    winners_notice = models.TextField(_("how winners are told"), blank=True)
    prize_delivery = models.TextField(_("prize delivery"), blank=True)
    privacy_url = models.URLField(_("privacy policy address"), max_length=500, blank=True)
    complaints = models.TextField(_("how to complain"), blank=True)
    retention_days = models.PositiveIntegerField(_("keep winners' data for (days)"), default=90)
    checklist_confirmed = models.JSONField(
        default=list, blank=True, help_text="Checklist keys ticked by hand"
    )
    # the draw
    seed = models.CharField(max_length=64, blank=True, help_text="Secret until the draw")
    seed_sha256 = models.CharField(max_length=64, blank=True)
    frozen_sha256 = models.CharField(max_length=64, blank=True)
    frozen_at = models.DateTimeField(null=True, blank=True)
    frozen_count = models.PositiveIntegerField(default=0)
    # who and when
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    announced_at = models.DateTimeField(null=True, blank=True)
    announcement_post = models.ForeignKey(
        "publishing.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    personal_data_erased_at = models.DateTimeField(null=True, blank=True)
    collected_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["workspace", "state"])]

    def __str__(self) -> str:
        return self.title


class ContestPost(models.Model):
    """One post the contest runs under: comments under it (on that account) are entries."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="posts")
    account = models.ForeignKey("integrations.ConnectedAccount", on_delete=models.PROTECT, related_name="+")
    remote_post_id = models.CharField(_("post id on the platform"), max_length=255)
    post = models.ForeignKey(
        "publishing.Post", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    text_sha256 = models.CharField(max_length=64, blank=True, help_text="The post's text when approved")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "account", "remote_post_id"], name="contest_post_unique"
            )
        ]


class Regulation(models.Model):
    """One published version of the regulations in one language (the public page shows the latest)."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="regulations")
    version = models.PositiveIntegerField()
    language = models.CharField(max_length=8)
    text = models.TextField()
    text_sha256 = models.CharField(max_length=64)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-version", "language"]
        constraints = [
            models.UniqueConstraint(
                fields=["contest", "version", "language"], name="contest_regulation_unique"
            )
        ]


class Decision(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    DUPLICATE = "duplicate", _("Duplicate")
    EARLY = "early", _("Before the start")
    LATE = "late", _("After the end")
    AFTER_FREEZE = "after_freeze", _("Arrived after the entry list was frozen")
    STAFF = "staff", _("Staff or partner account")
    INELIGIBLE = "ineligible", _("Does not meet the rules")
    WRONG_ANSWER = "wrong_answer", _("Wrong answer")
    AWAITING_REVIEW = "awaiting_review", _("Answer waits for a person to judge")
    SPAM = "spam", _("Spam")


class Entry(WorkspaceScopedModel):
    """A comment under a contest post, with its eligibility decision. Never deleted: every comment that
    arrived is listed with why it counts or not. Its text is kept as it was when it entered."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="entries")
    item = models.ForeignKey("inbox.Item", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    entry_id = models.CharField(max_length=300, help_text="platform:comment id, as the frozen list names it")
    author_ref = models.CharField(max_length=32, help_text="Hash of platform:author id")
    author_handle = models.CharField(_("author"), max_length=255, blank=True)
    author_name = models.CharField(max_length=255, blank=True)
    text = models.TextField(_("text"), blank=True)
    text_sha256 = models.CharField(max_length=64)
    url = models.URLField(max_length=500, blank=True)
    entered_at = models.DateTimeField(_("entered"))
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    overruled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    overrule_reason = models.TextField(blank=True)
    in_frozen_list = models.BooleanField(default=False)
    source_note = models.CharField(max_length=20, blank=True, help_text="edited / deleted after entering")
    erased = models.BooleanField(default=False)

    class Meta:
        ordering = ["entered_at", "id"]
        constraints = [models.UniqueConstraint(fields=["contest", "entry_id"], name="contest_entry_unique")]


class WinnerStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for the winner")
    CLAIMED = "claimed", _("Claimed")
    UNCLAIMED = "unclaimed", _("Not claimed")


class Winner(models.Model):
    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="winners")
    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="+")
    round = models.PositiveSmallIntegerField()
    rank = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=WinnerStatus.choices, default=WinnerStatus.PENDING)
    reply_text = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["round", "rank"]
        constraints = [models.UniqueConstraint(fields=["contest", "entry"], name="contest_winner_unique")]


class DrawRound(TimeStampedModel):
    """The first draw (round 1) and each re-draw for unclaimed prizes."""

    contest = models.ForeignKey(Contest, on_delete=models.CASCADE, related_name="rounds")
    number = models.PositiveSmallIntegerField()
    size = models.PositiveSmallIntegerField()
    drawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["contest", "number"], name="contest_round_unique")]
