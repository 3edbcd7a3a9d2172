"""Every write of the contests domain: keyword-only, atomic, audited (``contest.*`` actions).

States: draft → approved → running → closed → drawn → announced. Contributors draft; people with
``contests.manage`` (managers, owners) approve, close, draw, re-draw, overrule and announce. The draw is
``kopiena.contests.draw`` over the list frozen at close; docs/contests.md describes it for outsiders.
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import formats
from django.utils import timezone as dj_timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from kopiena.audit.services import audit_record
from kopiena.contests import draw as drawing
from kopiena.contests.checklist import missing
from kopiena.contests.eligibility import PATTERN_MAX, Comment, Rules, judge, normal_handle
from kopiena.contests.models import (
    Contest,
    ContestPost,
    ContestState,
    Decision,
    DrawRound,
    Entry,
    Mechanic,
    QuizJudging,
    Regulation,
    Winner,
    WinnerStatus,
)
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.zones import require_zone, zone_of
from kopiena.inbox.models import Item
from kopiena.integrations.models import ConnectedAccount
from kopiena.policy.selectors import policy_current
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

LANGUAGES = ("en", "lv", "ru")
EDITABLE_FIELDS = (
    "title", "description", "starts_at", "ends_at", "timezone", "prizes", "winners_count", "mechanic",
    "keyword", "quiz_question", "quiz_judging", "quiz_pattern", "tag_friends", "one_entry_per_person",
    "min_account_age_days", "excluded_handles", "languages", "min_age", "organiser", "organiser_contact",
    "who_may_enter", "winners_notice", "prize_delivery", "privacy_url", "complaints", "retention_days",
)  # fmt: skip
MAX_WINNERS = 1000


def _audit(access: Access | None, action: str, contest: Contest, *, before=None, after=None) -> None:
    audit_record(
        actor=access.user if access else None,
        workspace=contest.workspace,
        action=action,
        obj=contest,
        before=before,
        after=after,
    )


def _locked(access: Access, contest_id: int) -> Contest:
    contest = Contest.objects.select_for_update().filter(workspace=access.workspace, pk=contest_id).first()
    if contest is None:
        from django.http import Http404

        raise Http404
    return contest


_BOUNDS = {"tag_friends": 20, "min_age": 120, "retention_days": 3650, "min_account_age_days": 36500}


def _check_sizes(values: dict) -> None:
    """Lengths and numbers the columns hold (PostgreSQL refuses what SQLite would store)."""
    for name, value in values.items():
        field = Contest._meta.get_field(name)
        if isinstance(value, str) and field.max_length and len(value) > field.max_length:
            raise DomainError(_("At most %(count)s characters.") % {"count": field.max_length}, field=name)
        bounded = name in _BOUNDS and value is not None
        if bounded and (not isinstance(value, int) or not 0 <= value <= _BOUNDS[name]):
            raise DomainError(_("Give a number from 0 to %(max)s.") % {"max": _BOUNDS[name]}, field=name)


def _check_fields(values: dict) -> dict:
    _check_sizes(values)
    title = str(values.get("title", "")).strip()
    if not title:
        raise DomainError(_("Give the contest a title."), field="title")
    values["title"] = title[:160]
    values["timezone"] = require_zone(values.get("timezone") or "", allow_empty=False)
    starts, ends = values.get("starts_at"), values.get("ends_at")
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        raise DomainError(_("Give the start and the end of the contest."), field="starts_at")
    if dj_timezone.is_naive(starts) or dj_timezone.is_naive(ends):
        zone = zone_of(values["timezone"])
        starts = dj_timezone.make_aware(starts, zone) if dj_timezone.is_naive(starts) else starts
        ends = dj_timezone.make_aware(ends, zone) if dj_timezone.is_naive(ends) else ends
    if ends <= starts:
        raise DomainError(_("The contest must end after it starts."), field="ends_at")
    values["starts_at"], values["ends_at"] = starts, ends
    count = int(values.get("winners_count") or 0)
    if not 1 <= count <= MAX_WINNERS:
        raise DomainError(
            _("Choose between 1 and %(max)s winners.") % {"max": MAX_WINNERS}, field="winners_count"
        )
    values["winners_count"] = count
    mechanic = values.get("mechanic") or Mechanic.COMMENT
    if mechanic not in Mechanic.values:
        raise DomainError(_("Choose how people enter."), field="mechanic")
    values["quiz_judging"] = values.get("quiz_judging") or QuizJudging.PATTERN
    if values["quiz_judging"] not in QuizJudging.values:
        raise DomainError(_("Choose how quiz answers are judged."), field="quiz_judging")
    if mechanic == Mechanic.KEYWORD and not str(values.get("keyword", "")).strip():
        raise DomainError(_("Give the keyword or hashtag entrants must write."), field="keyword")
    if mechanic == Mechanic.QUIZ:
        if not str(values.get("quiz_question", "")).strip():
            raise DomainError(_("Give the quiz question."), field="quiz_question")
        if values.get("quiz_judging", QuizJudging.PATTERN) == QuizJudging.PATTERN:
            pattern = str(values.get("quiz_pattern", ""))
            if not pattern or len(pattern) > PATTERN_MAX:
                raise DomainError(
                    _("Give the right answer's pattern (at most 200 characters)."), field="quiz_pattern"
                )
            try:
                re.compile(pattern)
            except re.error as exc:
                raise DomainError(
                    _("The right answer's pattern is not valid."), field="quiz_pattern"
                ) from exc
    if mechanic == Mechanic.TAG_FRIENDS and not 1 <= int(values.get("tag_friends") or 0) <= 20:
        raise DomainError(_("Say how many friends to tag (1 to 20)."), field="tag_friends")
    values["mechanic"] = mechanic
    values["prizes"] = [str(p).strip()[:200] for p in values.get("prizes") or [] if str(p).strip()]
    values["excluded_handles"] = sorted(
        {normal_handle(h) for h in values.get("excluded_handles") or [] if normal_handle(h)}
    )
    values["languages"] = sorted(
        {str(code).strip().lower()[:8] for code in values.get("languages") or [] if str(code).strip()}
    )
    url = str(values.get("privacy_url") or "")
    if url and not url.startswith(("https://", "http://")):
        raise DomainError(_("The privacy policy address must start with https://."), field="privacy_url")
    return values


def _set_posts(contest: Contest, access: Access, posts: list[tuple[int, str]]) -> None:
    accounts = {a.pk: a for a in ConnectedAccount.objects.filter(workspace=access.workspace)}
    contest.posts.all().delete()
    used = set()
    for account_id, remote_id in posts:
        remote_id = str(remote_id).strip()
        if account_id not in accounts:
            raise DomainError(_("Choose one of this workspace's accounts."), field="posts")
        if not remote_id or (account_id, remote_id) in used:
            continue
        used.add((account_id, remote_id))
        ContestPost.objects.create(
            contest=contest, account=accounts[account_id], remote_post_id=remote_id[:255]
        )
    contest.accounts.set(sorted({a for a, _r in used}))


def _snapshot(contest: Contest) -> dict:
    return {field: getattr(contest, field) for field in EDITABLE_FIELDS} | {
        "state": contest.state,
        "posts": [f"{p.account_id}:{p.remote_post_id}" for p in contest.posts.all()],
    }


@transaction.atomic
def contest_create(*, access: Access, posts: list[tuple[int, str]], **fields) -> Contest:
    """A draft contest on ``posts`` ((account id, platform post id) pairs). Anyone who may draft posts."""
    access.require(Perm.POST_DRAFT)
    values = _check_fields({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    contest = Contest.objects.create(workspace=access.workspace, created_by=access.user, **values)
    _set_posts(contest, access, posts)
    _audit(access, "contest.create", contest, after=_snapshot(contest))
    return contest


@transaction.atomic
def contest_update(
    *, access: Access, contest_id: int, posts: list[tuple[int, str]] | None = None, **fields
) -> Contest:
    """Change a draft. After approval nothing that the regulations state may change (a changed post or
    date would make the published regulations and the seed's promise untrue): that needs a new contest."""
    access.require(Perm.POST_DRAFT)
    contest = _locked(access, contest_id)
    if contest.state != ContestState.DRAFT:
        raise DomainError(
            _(
                "An approved contest cannot change: its regulations are published. Start a new contest instead."
            )
        )
    before = _snapshot(contest)
    values = {field: getattr(contest, field) for field in EDITABLE_FIELDS}
    values.update({k: v for k, v in fields.items() if k in EDITABLE_FIELDS})
    for field, value in _check_fields(values).items():
        setattr(contest, field, value)
    contest.save()
    if posts is not None:
        _set_posts(contest, access, posts)
    _audit(access, "contest.update", contest, before=before, after=_snapshot(contest))
    return contest


@transaction.atomic
def contest_checklist_confirm(*, access: Access, contest_id: int, key: str, confirmed: bool) -> Contest:
    """A manager ticks (or unticks) a checklist item that is checked by hand (a platform's rules)."""
    access.require(Perm.CONTESTS_MANAGE)
    contest = _locked(access, contest_id)
    if contest.state != ContestState.DRAFT:
        raise DomainError(_("The checklist is only changed before approval."))
    keys = {item.key for item in policy_current(workspace=contest.workspace).contests.checklist}
    if key not in keys:
        raise DomainError(_("No such checklist item."))
    ticked = set(contest.checklist_confirmed or [])
    before = sorted(ticked)
    ticked.add(key) if confirmed else ticked.discard(key)
    contest.checklist_confirmed = sorted(ticked)
    contest.save(update_fields=["checklist_confirmed", "updated_at"])
    _audit(
        access,
        "contest.checklist",
        contest,
        before={"confirmed": before},
        after={"confirmed": contest.checklist_confirmed},
    )
    return contest


# ---------------------------------------------------------------- regulations


def public_url(contest: Contest, name: str = "contest_rules") -> str:
    return settings.BASE_URL.rstrip("/") + reverse(name, kwargs={"public_id": contest.public_id})


def _local(contest: Contest, moment: datetime) -> str:
    return formats.date_format(dj_timezone.localtime(moment, zone_of(contest.timezone)), "DATETIME_FORMAT")


def _how_to_enter(contest: Contest) -> str:
    if contest.mechanic == Mechanic.KEYWORD:
        return _("write a comment under the contest post containing “%(keyword)s”.") % {
            "keyword": contest.keyword
        }
    if contest.mechanic == Mechanic.QUIZ:
        return _("answer this question in a comment under the contest post: %(question)s") % {
            "question": contest.quiz_question
        }
    if contest.mechanic == Mechanic.TAG_FRIENDS:
        return _("write a comment under the contest post tagging %(count)s friends.") % {
            "count": contest.tag_friends
        }
    return _("write a comment under the contest post.")


def _eligibility_text(contest: Contest) -> str:
    parts = []
    if contest.one_entry_per_person:
        parts.append(_("One entry per person; further comments do not add chances."))
    if contest.min_age:
        parts.append(
            _("By entering you confirm that you are at least %(age)s years old.") % {"age": contest.min_age}
        )
    if contest.min_account_age_days:
        parts.append(
            _("Accounts must be at least %(days)s days old where the platform shows it.")
            % {"days": contest.min_account_age_days}
        )
    if contest.languages:
        parts.append(
            _("Comments in: %(languages)s.") % {"languages": ", ".join(c.upper() for c in contest.languages)}
        )
    parts.append(_("The organiser's staff and partners may not enter."))
    return " ".join(parts)


def regulation_values(contest: Contest) -> dict[str, str]:
    from kopiena.integrations import platforms

    def platform_name(key: str) -> str:
        try:
            return platforms.require_known(key).name
        except Exception:
            return key.capitalize()

    names = sorted({platform_name(p.account.platform) for p in contest.posts.select_related("account")})
    return {
        "title": contest.title,
        "organiser": contest.organiser,
        "organiser_contact": contest.organiser_contact,
        "starts": _local(contest, contest.starts_at),
        "ends": _local(contest, contest.ends_at),
        "timezone": contest.timezone,
        "posts": ", ".join(
            f"{p.account.name} #{p.remote_post_id}" for p in contest.posts.select_related("account")
        ),
        "who_may_enter": contest.who_may_enter,
        "eligibility": _eligibility_text(contest),
        "how_to_enter": _how_to_enter(contest),
        "prizes": "; ".join(contest.prizes),
        "winners_count": str(contest.winners_count),
        "seed_sha256": contest.seed_sha256 or "—",
        "verify_url": public_url(contest, "contest_verify"),
        "rules_url": public_url(contest),
        "winners_notice": contest.winners_notice,
        "prize_delivery": contest.prize_delivery,
        "privacy_url": contest.privacy_url,
        "retention_days": str(contest.retention_days),
        "platforms": ", ".join(names) or "—",
        "complaints": contest.complaints,
    }


_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def fill(template: str, values: dict[str, str]) -> str:
    """``{name}`` → value; an unknown placeholder stays as written (a typo shows, never crashes)."""
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), m.group(0)), template)


def regulations_render(contest: Contest, language: str) -> str:
    templates = policy_current(workspace=contest.workspace).contests.regulations_template
    with override(language):
        return fill(templates.get(language) or templates.get("en", ""), regulation_values(contest))


def _publish_regulations(contest: Contest) -> int:
    version = (
        Regulation.objects.filter(contest=contest)
        .order_by("-version")
        .values_list("version", flat=True)
        .first()
        or 0
    ) + 1
    moment = now()
    for language in LANGUAGES:
        text = regulations_render(contest, language)
        Regulation.objects.create(
            contest=contest, version=version, language=language, text=text,
            text_sha256=drawing.sha256_hex(text), created_at=moment,
        )  # fmt: skip
    return version


# ---------------------------------------------------------------- approval and running


@transaction.atomic
def contest_approve(*, access: Access, contest_id: int) -> Contest:
    """Approve a draft whose checklist is complete: the seed is generated, its SHA-256 goes into the
    regulations, and version 1 of the regulations is published in en/lv/ru."""
    access.require(Perm.CONTESTS_MANAGE)
    contest = _locked(access, contest_id)
    if contest.state != ContestState.DRAFT:
        raise DomainError(_("Only a draft can be approved."))
    gaps = missing(contest)
    if gaps:
        raise DomainError(
            _("The regulations are not complete. Missing: %(items)s.")
            % {"items": "; ".join(i.label for i in gaps)},
            code="checklist",
        )
    contest.seed = secrets.token_hex(32)
    contest.seed_sha256 = drawing.sha256_hex(contest.seed)
    contest.state = ContestState.APPROVED
    contest.approved_by = access.user
    contest.approved_at = now()
    contest.save()
    for post in contest.posts.select_related("post"):
        post.text_sha256 = drawing.sha256_hex(post.post.text) if post.post else ""
        post.save(update_fields=["text_sha256"])
    version = _publish_regulations(contest)
    _audit(access, "contest.approve", contest, before={"state": "draft"},
           after={"state": contest.state, "seed_sha256": contest.seed_sha256, "regulations_version": version})  # fmt: skip
    return contest


def _start_if_due(contest: Contest, moment: datetime) -> None:
    if contest.state == ContestState.APPROVED and contest.starts_at <= moment:
        contest.state = ContestState.RUNNING
        contest.save(update_fields=["state", "updated_at"])
        _audit(None, "contest.start", contest, before={"state": "approved"}, after={"state": "running"})


# ---------------------------------------------------------------- entries


def _rules(contest: Contest) -> Rules:
    accounts = [p.account for p in contest.posts.select_related("account")]
    return Rules(
        starts_at=contest.starts_at, ends_at=contest.ends_at, mechanic=contest.mechanic, keyword=contest.keyword,
        quiz_judging=contest.quiz_judging, quiz_pattern=contest.quiz_pattern, tag_friends=contest.tag_friends,
        one_entry_per_person=contest.one_entry_per_person, min_account_age_days=contest.min_account_age_days,
        excluded=frozenset(contest.excluded_handles or []),
        brand_ids=frozenset(a.external_id for a in accounts if a.external_id),
        brand_handle_set=frozenset(normal_handle(a.handle) for a in accounts if a.handle),
        languages=frozenset(contest.languages or []),
    )  # fmt: skip


def contest_items(contest: Contest):
    """Inbox items under the contest's posts: in a thread on the post, or answering the post itself."""
    from django.db.models import Q

    query = Q(pk__in=[])
    for post in contest.posts.all():
        query |= Q(account_id=post.account_id) & (
            Q(thread__post_external_id=post.remote_post_id) | Q(parent_external_id=post.remote_post_id)
        )
    return Item.objects.filter(workspace=contest.workspace).filter(query).select_related("account")


def _entry_id(item: Item) -> str:
    return f"{item.account.platform}:{item.external_id}"


@transaction.atomic
def contest_collect(*, contest_id: int, access: Access | None = None) -> dict:
    """Turn the inbox comments under the contest's posts into entries, each with its decision.

    Idempotent: a comment becomes one entry once. A comment that arrives after the list was frozen is
    recorded as ``after_freeze`` (shown, never part of the draw). An entry's text is the comment as it was
    when it entered; an edited or vanished comment is noted on the entry, its decision stands.
    Returns counts per decision of the new entries."""
    contest = Contest.objects.select_for_update().get(pk=contest_id)
    if access is not None and contest.workspace_id != access.workspace.pk:
        raise DomainError(_("No such contest."))
    if contest.state == ContestState.DRAFT:
        raise DomainError(_("Entries are collected once the contest is approved."))
    moment = now()
    _start_if_due(contest, moment)
    frozen = contest.frozen_at is not None
    known = dict(Entry.objects.filter(contest=contest).values_list("entry_id", "text_sha256"))
    entered = set(
        Entry.objects.filter(
            contest=contest, decision__in=[Decision.ELIGIBLE, Decision.AWAITING_REVIEW]
        ).values_list("author_ref", flat=True)
    )
    rules = _rules(contest)
    counts: dict[str, int] = {}
    items = list(contest_items(contest).order_by("remote_created_at", "id"))
    for item in items:
        entry_id = _entry_id(item)
        if entry_id in known:
            if known[entry_id] != drawing.sha256_hex(item.text or ""):
                Entry.objects.filter(contest=contest, entry_id=entry_id, source_note="").update(
                    source_note="edited"
                )
            continue
        author = drawing.author_ref(
            item.account.platform, item.author_external_id or normal_handle(item.author_handle)
        )
        if frozen:
            decision, reason = (
                Decision.AFTER_FREEZE,
                _("Arrived after the entry list was frozen at the close; not in the draw."),
            )
        else:
            comment = Comment(
                author_id=item.author_external_id, author_handle=item.author_handle, text=item.text or "",
                entered_at=item.remote_created_at, language=item.language, spam=item.spam,
            )  # fmt: skip
            decision, reason = judge(rules, comment, already_entered=author in entered)
        if decision in (Decision.ELIGIBLE, Decision.AWAITING_REVIEW):
            entered.add(author)
        Entry.objects.create(
            workspace=contest.workspace, contest=contest, item=item, entry_id=entry_id, author_ref=author,
            author_handle=item.author_handle, author_name=item.author_name, text=item.text or "",
            text_sha256=drawing.sha256_hex(item.text or ""), url=item.url, entered_at=item.remote_created_at,
            decision=decision, reason=reason[:300],
        )  # fmt: skip
        known[entry_id] = ""
        counts[decision] = counts.get(decision, 0) + 1
    # A comment that vanished from the inbox (its account was removed): noted, the entry stays.
    Entry.objects.filter(
        contest=contest, item__isnull=True, source_note__in=["", "edited"], erased=False
    ).update(source_note="deleted")
    contest.collected_at = moment
    contest.save(update_fields=["collected_at", "state", "updated_at"])
    if counts:
        _audit(access, "contest.collect", contest, after={"new_entries": counts})
    return counts


@transaction.atomic
def entry_overrule(*, access: Access, contest_id: int, entry_pk: int, decision: str, reason: str) -> Entry:
    """A manager changes one decision, with a reason (audited). Only until the list is frozen."""
    access.require(Perm.CONTESTS_MANAGE)
    contest = _locked(access, contest_id)
    if contest.frozen_at is not None:
        raise DomainError(_("The entry list is frozen; decisions can no longer change."))
    if decision not in (Decision.ELIGIBLE, Decision.INELIGIBLE, Decision.WRONG_ANSWER, Decision.DUPLICATE,
                        Decision.STAFF, Decision.SPAM):  # fmt: skip
        raise DomainError(_("Choose a decision."), field="decision")
    reason = (reason or "").strip()
    if len(reason) < 3:
        raise DomainError(_("Say why you overrule this decision."), field="reason")
    entry = Entry.objects.filter(contest=contest, pk=entry_pk).first()
    if entry is None:
        raise DomainError(_("No such entry."))
    before = {"decision": entry.decision, "reason": entry.reason}
    entry.decision = decision
    entry.overruled_by = access.user
    entry.overrule_reason = reason[:1000]
    entry.save(update_fields=["decision", "overruled_by", "overrule_reason", "updated_at"])
    audit_record(actor=access.user, workspace=contest.workspace, action="contest.entry_overrule", obj=entry,
                 before=before, after={"decision": decision, "overrule_reason": entry.overrule_reason})  # fmt: skip
    return entry


# ---------------------------------------------------------------- close and draw


def frozen_rows(contest: Contest) -> list[dict]:
    return [
        {"id": e["entry_id"], "author": e["author_ref"], "decision": e["decision"]}
        for e in Entry.objects.filter(contest=contest, in_frozen_list=True).values(
            "entry_id", "author_ref", "decision"
        )
    ]


@transaction.atomic
def contest_close(*, access: Access | None, contest_id: int) -> Contest:
    """After the end: collect one last time, then freeze the entry list and record its hash. Refused while
    a quiz answer waits for a person to judge it (the list would freeze an undecided entry)."""
    if access is not None:
        access.require(Perm.CONTESTS_MANAGE)
        contest = _locked(access, contest_id)
    else:
        contest = Contest.objects.select_for_update().get(pk=contest_id)
    if contest.state not in (ContestState.APPROVED, ContestState.RUNNING):
        raise DomainError(_("Only a running contest can be closed."))
    if now() < contest.ends_at:
        raise DomainError(
            _("The contest runs until %(end)s; close it after that.")
            % {"end": _local(contest, contest.ends_at)}
        )
    contest_collect(contest_id=contest.pk, access=access)
    contest.refresh_from_db()
    waiting = Entry.objects.filter(contest=contest, decision=Decision.AWAITING_REVIEW).count()
    if waiting:
        raise DomainError(
            ngettext(
                "%(count)s answer still waits for a person to judge it; judge it before closing.",
                "%(count)s answers still wait for a person to judge them; judge them before closing.",
                waiting,
            )
            % {"count": waiting}
        )
    Entry.objects.filter(contest=contest).update(in_frozen_list=True)
    rows = frozen_rows(contest)
    before = contest.state
    contest.frozen_sha256 = drawing.list_hash(rows)
    contest.frozen_count = len(rows)
    contest.frozen_at = now()
    contest.state = ContestState.CLOSED
    contest.save()
    _audit(access, "contest.close", contest, before={"state": before},
           after={"state": "closed", "frozen_sha256": contest.frozen_sha256, "entries": len(rows)})  # fmt: skip
    return contest


def _next_winners(contest: Contest, size: int) -> list[str]:
    taken = set(Winner.objects.filter(contest=contest).values_list("entry__entry_id", flat=True))
    order = [
        entry_id
        for entry_id in drawing.winner_order(contest.seed, frozen_rows(contest))
        if entry_id not in taken
    ]
    return order[:size]


def _record_round(access: Access, contest: Contest, size: int) -> tuple[DrawRound, list[Winner]]:
    number = (contest.rounds.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    chosen = _next_winners(contest, size)
    round_ = DrawRound.objects.create(contest=contest, number=number, size=size, drawn_by=access.user)
    entries = {e.entry_id: e for e in Entry.objects.filter(contest=contest, entry_id__in=chosen)}
    start = contest.winners.count()
    winners = [
        Winner.objects.create(
            contest=contest, entry=entries[entry_id], round=number, rank=start + n + 1, created_at=now()
        )
        for n, entry_id in enumerate(chosen)
    ]
    return round_, winners


@transaction.atomic
def contest_draw(*, access: Access, contest_id: int) -> tuple[Contest, str]:
    """Draw the winners from the frozen list (``kopiena.contests.draw``) and reveal the seed. Returns the
    contest and a note for the person (empty, or why fewer winners than prizes were drawn).
    No eligible entry: refused, the contest stays closed."""
    access.require(Perm.CONTESTS_MANAGE)
    contest = _locked(access, contest_id)
    if contest.state != ContestState.CLOSED:
        raise DomainError(_("Close the contest before the draw."))
    if drawing.list_hash(frozen_rows(contest)) != contest.frozen_sha256:
        raise DomainError(
            _(
                "The frozen entry list no longer matches its recorded hash; the draw is refused. Tell the administrator."
            )
        )
    people = len(drawing.winner_order(contest.seed, frozen_rows(contest)))
    if people == 0:
        raise DomainError(
            _("No eligible entries: there is nobody to draw. The contest stays closed."), code="no_entries"
        )
    size = min(contest.winners_count, people)
    _round, winners = _record_round(access, contest, contest.winners_count)
    contest.state = ContestState.DRAWN
    contest.drawn_at = now()
    contest.save(update_fields=["state", "drawn_at", "updated_at"])
    _audit(access, "contest.draw", contest, before={"state": "closed"},
           after={"state": "drawn", "seed": contest.seed, "winners": [w.entry.entry_id for w in winners]})  # fmt: skip
    note = ""
    if size < contest.winners_count:
        note = _("Only %(people)s eligible people for %(prizes)s prizes: %(left)s prizes are not given.") % {
            "people": people, "prizes": contest.winners_count, "left": contest.winners_count - size,
        }  # fmt: skip
    return contest, note


@transaction.atomic
def winner_mark(*, access: Access, contest_id: int, winner_pk: int, status: str) -> Winner:
    access.require(Perm.CONTESTS_MANAGE)
    contest = _locked(access, contest_id)
    if status not in WinnerStatus.values:
        raise DomainError(_("Choose a status."))
    winner = Winner.objects.filter(contest=contest, pk=winner_pk).select_related("entry").first()
    if winner is None:
        raise DomainError(_("No such winner."))
    before = winner.status
    winner.status = status
    winner.save(update_fields=["status"])
    _audit(access, "contest.winner_mark", contest, before={"winner": winner.entry.entry_id, "status": before},
           after={"winner": winner.entry.entry_id, "status": status})  # fmt: skip
    return winner


@transaction.atomic
def contest_redraw(*, access: Access, contest_id: int) -> tuple[Contest, list[Winner]]:
    """Re-draw one prize per unclaimed winner, by the same rule: the next people in the draw order."""
    access.require(Perm.CONTESTS_MANAGE)
    contest = _locked(access, contest_id)
    if contest.state not in (ContestState.DRAWN, ContestState.ANNOUNCED):
        raise DomainError(_("Re-draws come after the draw."))
    unclaimed = contest.winners.filter(status=WinnerStatus.UNCLAIMED).count()
    replaced = DrawRound.objects.filter(contest=contest, number__gt=1).values_list("size", flat=True)
    open_prizes = unclaimed - sum(replaced)
    if open_prizes <= 0:
        raise DomainError(_("No unclaimed prize waits for a re-draw. Mark a winner as not claimed first."))
    if not _next_winners(contest, open_prizes):
        raise DomainError(_("Every eligible person has already been drawn; nobody is left for a re-draw."))
    round_, winners = _record_round(access, contest, open_prizes)
    _audit(
        access,
        "contest.redraw",
        contest,
        after={"round": round_.number, "winners": [w.entry.entry_id for w in winners]},
    )
    return contest, winners


def draw_export(contest: Contest) -> dict:
    """The public draw export that ``kopiena contest verify`` and the verification page check."""
    drawn = contest.state in (ContestState.DRAWN, ContestState.ANNOUNCED)
    winners = {}
    for winner in contest.winners.select_related("entry"):
        winners.setdefault(winner.round, []).append(winner.entry.entry_id)
    return {
        "format": drawing.FORMAT,
        "contest": contest.public_id,
        "title": contest.title,
        "winners_count": contest.winners_count,
        "seed_sha256": contest.seed_sha256,
        "seed": contest.seed if drawn else "",
        "frozen_at": contest.frozen_at.isoformat() if contest.frozen_at else None,
        "frozen_list_sha256": contest.frozen_sha256,
        "entries": sorted(frozen_rows(contest), key=lambda row: row["id"]),
        "rounds": [
            {"round": r.number, "size": r.size, "winners": winners.get(r.number, [])}
            for r in contest.rounds.all()
        ],
        "rule": "HMAC-SHA256(seed, id); order by (score, id); one win per author; rounds take the next authors",
    }


# ---------------------------------------------------------------- announcement and retention


def _winner_name(winner: Winner) -> str:
    return winner.entry.author_handle or winner.entry.author_name or _("the winner")


@transaction.atomic
def contest_announce(*, access: Access, contest_id: int, language: str = "") -> Contest:
    """Draft the winners' post on the contest's accounts (it goes through publishing's approval like any
    post) and prepare a reply to each winner from the policy's templates (sent from the contest page)."""
    from kopiena.publishing.services import post_create

    access.require(Perm.CONTESTS_MANAGE)
    contest = _locked(access, contest_id)
    if contest.state != ContestState.DRAWN:
        raise DomainError(_("Announce after the draw."))
    section = policy_current(workspace=contest.workspace).contests
    if language not in LANGUAGES:  # the community's first language
        language = next((code for code in contest.workspace.languages or [] if code in LANGUAGES), "en")
    winners = list(contest.winners.select_related("entry").exclude(status=WinnerStatus.UNCLAIMED))
    values = regulation_values(contest) | {"winners": ", ".join(_winner_name(w) for w in winners)}
    text = fill(
        section.winners_post_template.get(language) or section.winners_post_template.get("en", ""), values
    )
    post = post_create(access=access, account_ids=sorted({p.account_id for p in contest.posts.all()}), text=text,
                       campaign=contest.title[:120])  # fmt: skip
    reply_template = section.winner_reply_template.get(language) or section.winner_reply_template.get(
        "en", ""
    )
    for winner in winners:
        winner.reply_text = fill(reply_template, values | {"name": _winner_name(winner)})
        winner.save(update_fields=["reply_text"])
    contest.announcement_post = post
    contest.state = ContestState.ANNOUNCED
    contest.announced_at = now()
    contest.save(update_fields=["announcement_post", "state", "announced_at", "updated_at"])
    _audit(
        access,
        "contest.announce",
        contest,
        before={"state": "drawn"},
        after={"state": "announced", "post": post.pk},
    )
    return contest


def winner_reply_send(*, access: Access, contest_id: int, winner_pk: int, text: str = ""):
    """Answer the winner's comment with the prepared text, through the inbox's reply path (its checks,
    and its approval where the policy asks for one)."""
    from kopiena.inbox.services import item_reply

    contest = Contest.objects.filter(workspace=access.workspace, pk=contest_id).first()
    winner = (
        Winner.objects.filter(contest=contest, pk=winner_pk).select_related("entry__item").first()
        if contest
        else None
    )
    if winner is None:
        raise DomainError(_("No such winner."))
    if winner.entry.item is None:
        raise DomainError(_("The winner's comment is no longer in the inbox; contact them another way."))
    return item_reply(access=access, item=winner.entry.item, text=text or winner.reply_text, confirmed=True)


@transaction.atomic
def contests_erase_due(*, moment: datetime | None = None) -> int:
    """Erase entrants' personal data (handle, name, text, link) once the retention the regulations state
    has passed after the draw. The frozen list keeps only hashes, so the draw stays verifiable; the audit
    records the hash of what was erased, not the data. Returns how many contests were erased."""
    moment = moment or now()
    done = 0
    due = Contest.objects.select_for_update().filter(
        personal_data_erased_at__isnull=True, drawn_at__isnull=False
    )
    for contest in due:
        if contest.drawn_at + timedelta(days=contest.retention_days) > moment:
            continue
        entries = Entry.objects.filter(contest=contest, erased=False)
        digest = drawing.sha256_hex(
            "\n".join(f"{e.entry_id}|{e.author_handle}|{e.text_sha256}" for e in entries.order_by("entry_id"))
        )
        count = entries.update(author_handle="", author_name="", text="", url="", item=None, erased=True)
        Winner.objects.filter(contest=contest).update(reply_text="")
        contest.personal_data_erased_at = moment
        contest.save(update_fields=["personal_data_erased_at", "updated_at"])
        _audit(
            None, "contest.erase_personal_data", contest, after={"entries": count, "erased_sha256": digest}
        )
        done += 1
    return done


def contests_tick(*, moment: datetime | None = None) -> dict:
    """The clock's periodic work: start approved contests, collect running ones, erase due data."""
    moment = moment or now()
    collected = 0
    for contest_id in Contest.objects.filter(
        state__in=[ContestState.APPROVED, ContestState.RUNNING]
    ).values_list("pk", flat=True):
        contest_collect(contest_id=contest_id)
        collected += 1
    return {"collected": collected, "erased": contests_erase_due(moment=moment)}
