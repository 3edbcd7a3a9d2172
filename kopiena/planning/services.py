"""Planning writes: local events and iCal feeds (C5), the idea bank (C2–C10), promo-code uses (C8),
testimonial consent (C6) and the week planner's proposals. Keyword-only, atomic, audited.

Permissions: ideas, events and proposals need ``post.draft`` (everyone who writes); iCal feeds and consent
records ``post.approve`` (managers): a consent is a legal record, a feed fetches from outside.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import httpx
from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _
from icalendar import Calendar

from kopiena.audit.services import audit_record
from kopiena.connectors.errors import ConnectorError
from kopiena.connectors.http import HttpClient
from kopiena.core.clock import now
from kopiena.core.errors import DomainError
from kopiena.core.params import check_day, db_ids, db_int
from kopiena.core.zones import zone_of
from kopiena.integrations.connecting import network_options
from kopiena.integrations.models import ConnectedAccount
from kopiena.planning import planner
from kopiena.planning.models import (
    Consent,
    EventFeed,
    Idea,
    IdeaKind,
    IdeaStatus,
    LocalEvent,
    PostConsent,
    PromoUse,
    Proposal,
    ProposalStatus,
)
from kopiena.policy.evaluators import in_languages
from kopiena.publishing.models import Post, PostState
from kopiena.publishing.notifications import notify
from kopiena.publishing.services import post_create
from kopiena.teams.models import Membership, Role
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

MAX_ICAL_BYTES = 2 * 1024 * 1024
MAX_ICAL_EVENTS = 2000
ICAL_PAST_DAYS = 30
ICAL_FUTURE_DAYS = 400
PROMO_CODE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,39}$")


def _id(pk: object) -> int:
    """A row id from a URL or a payload; beyond the database's range it is no row (404, never a 500)."""
    value = db_int(pk)
    if value is None:
        raise Http404
    return value


def _audit(access: Access, action: str, obj, after: dict | None = None, before: dict | None = None) -> None:
    audit_record(
        actor=access.user, workspace=access.workspace, action=action, obj=obj, before=before, after=after
    )


# ---------------------------------------------------------------- local events and iCal feeds (C5)


@transaction.atomic
def local_event_add(
    *,
    access: Access,
    title: str,
    starts_on: date,
    ends_on: date | None = None,
    location: str = "",
    url: str = "",
    description: str = "",
) -> LocalEvent:
    access.require(Perm.POST_DRAFT)
    title = title.strip()
    if not title:
        raise DomainError(_("Give the event a title."), field="title")
    check_day(starts_on, field="starts_on")
    if ends_on is not None:
        check_day(ends_on, field="ends_on")
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("The event cannot end before it starts."), field="ends_on")
    event = LocalEvent.objects.create(
        workspace=access.workspace,
        title=title[:200],
        starts_on=starts_on,
        ends_on=ends_on,
        location=location[:255],
        url=url,
        description=description,
    )
    _audit(access, "planning.event_add", event, {"title": event.title, "starts_on": starts_on.isoformat()})
    return event


@transaction.atomic
def local_event_delete(*, access: Access, event_id: int) -> None:
    access.require(Perm.POST_DRAFT)
    event = LocalEvent.objects.filter(workspace=access.workspace, pk=_id(event_id), feed__isnull=True).first()
    if event is None:
        raise Http404
    _audit(access, "planning.event_delete", event, before={"title": event.title})
    event.delete()


@dataclass(frozen=True)
class ParsedEvent:
    uid: str
    title: str
    starts_on: date
    ends_on: date | None
    starts_at: datetime | None
    location: str
    url: str
    description: str


def ical_fetch(url: str) -> bytes:
    """The feed's body through the SSRF-guarded client, at most ``MAX_ICAL_BYTES``; DomainError otherwise."""
    if not url.startswith(("https://", "http://")):
        raise DomainError(_("Give an http:// or https:// address of an iCal (.ics) feed."), field="url")
    client = HttpClient(
        account_key=f"ical:{httpx.URL(url).host}", retries=1, timeout=10.0, **network_options()
    )
    try:
        response = client.get(url, max_bytes=MAX_ICAL_BYTES)
    except ConnectorError as exc:
        raise DomainError(
            _("Could not read the calendar: %(reason)s") % {"reason": exc}, field="url"
        ) from None
    finally:
        client.close()
    return response.content


def ical_parse(body: bytes, *, zone, today: date) -> list[ParsedEvent]:
    """The VEVENTs between 30 days ago and 400 days ahead (the first occurrence of a repeating event)."""
    try:
        calendar = Calendar.from_ical(body)
    except (ValueError, IndexError, KeyError, TypeError) as exc:
        raise DomainError(
            _("This is not an iCal (.ics) calendar: %(reason)s") % {"reason": str(exc)[:200]}, field="url"
        ) from None
    if not hasattr(calendar, "walk") or calendar.name != "VCALENDAR":
        raise DomainError(_("This is not an iCal (.ics) calendar."), field="url")
    events = []
    first, last = today - timedelta(days=ICAL_PAST_DAYS), today + timedelta(days=ICAL_FUTURE_DAYS)
    for component in calendar.walk("VEVENT"):
        start = component.decoded("DTSTART", None) if "DTSTART" in component else None
        if start is None:
            continue
        starts_at = start if isinstance(start, datetime) else None
        if starts_at is not None and starts_at.tzinfo is None:
            starts_at = starts_at.replace(tzinfo=zone)
        starts_on = starts_at.astimezone(zone).date() if starts_at else start
        end = component.decoded("DTEND", None) if "DTEND" in component else None
        ends_on = None
        if isinstance(end, datetime):
            ends_on = (end if end.tzinfo else end.replace(tzinfo=zone)).astimezone(zone).date()
        elif isinstance(end, date):
            ends_on = end - timedelta(days=1)  # DTEND of an all-day event is exclusive
        if ends_on is not None and ends_on <= starts_on:
            ends_on = None
        if not first <= starts_on <= last:
            continue
        title = str(component.get("SUMMARY", "")).strip()[:200] or _("(untitled event)")
        uid = str(component.get("UID", "")).strip()[:255] or f"{starts_on.isoformat()}:{title}"[:255]
        url = str(component.get("URL", "")).strip()
        events.append(
            ParsedEvent(
                uid=uid,
                title=title,
                starts_on=starts_on,
                ends_on=ends_on,
                starts_at=starts_at,
                location=str(component.get("LOCATION", "")).strip()[:255],
                url=url if url.startswith(("https://", "http://")) and len(url) <= 2000 else "",
                description=str(component.get("DESCRIPTION", "")).strip()[:5000],
            )
        )
        if len(events) > MAX_ICAL_EVENTS:
            raise DomainError(
                _("The calendar has more than %(n)s events in the coming year; import a smaller one.")
                % {"n": MAX_ICAL_EVENTS},
                field="url",
            )
    return events


def _store_events(feed: EventFeed, events: list[ParsedEvent]) -> int:
    seen = set()
    for parsed in events:
        if parsed.uid in seen:
            continue
        seen.add(parsed.uid)
        LocalEvent.objects.update_or_create(
            feed=feed,
            uid=parsed.uid,
            defaults={
                "workspace": feed.workspace,
                "title": parsed.title,
                "starts_on": parsed.starts_on,
                "ends_on": parsed.ends_on,
                "starts_at": parsed.starts_at,
                "location": parsed.location,
                "url": parsed.url,
                "description": parsed.description,
            },
        )
    LocalEvent.objects.filter(feed=feed).exclude(uid__in=seen).delete()
    return len(seen)


def event_feed_add(*, access: Access, name: str, url: str) -> EventFeed:
    """Fetch and parse first (outside the transaction), then store the feed and its events together:
    an unreachable, huge, malformed or private address writes nothing."""
    access.require(Perm.POST_APPROVE)
    url = url.strip()
    if EventFeed.objects.filter(workspace=access.workspace, url=url).exists():
        raise DomainError(_("This calendar is already imported."), field="url")
    events = ical_parse(ical_fetch(url), zone=zone_of(access.workspace.timezone), today=now().date())
    with transaction.atomic():
        feed = EventFeed.objects.create(
            workspace=access.workspace,
            name=(name.strip() or httpx.URL(url).host)[:120],
            url=url,
            created_by=access.user,
            last_fetched_at=now(),
        )
        feed.event_count = _store_events(feed, events)
        feed.save(update_fields=["event_count", "updated_at"])
        _audit(access, "planning.feed_add", feed, {"url": url, "events": feed.event_count})
    return feed


@transaction.atomic
def event_feed_delete(*, access: Access, feed_id: int) -> None:
    access.require(Perm.POST_APPROVE)
    feed = EventFeed.objects.filter(workspace=access.workspace, pk=_id(feed_id)).first()
    if feed is None:
        raise Http404
    _audit(access, "planning.feed_delete", feed, before={"url": feed.url})
    feed.delete()


def event_feed_refresh(*, feed: EventFeed) -> int:
    """The task's refresh: a failure is recorded on the feed (its events stay as they were)."""
    try:
        events = ical_parse(ical_fetch(feed.url), zone=zone_of(feed.workspace.timezone), today=now().date())
    except DomainError as exc:
        EventFeed.objects.filter(pk=feed.pk).update(last_error=exc.message, last_fetched_at=now())
        return 0
    with transaction.atomic():
        count = _store_events(feed, events)
        EventFeed.objects.filter(pk=feed.pk).update(event_count=count, last_error="", last_fetched_at=now())
    return count


def event_feeds_refresh(*, older_than: timedelta = timedelta(hours=6)) -> int:
    due = EventFeed.objects.select_related("workspace").exclude(last_fetched_at__gt=now() - older_than)
    return sum(1 for feed in due if event_feed_refresh(feed=feed) >= 0)


# ---------------------------------------------------------------- idea bank


def _clean_hashtags(hashtags: list[str] | None) -> list[str]:
    tags = []
    for tag in hashtags or []:
        tag = str(tag).strip().replace(" ", "")
        if tag:
            tags.append(tag if tag.startswith("#") else f"#{tag}")
    return list(dict.fromkeys(tags))[:10]


@transaction.atomic
def idea_create(
    *,
    access: Access,
    kind: str,
    title: str,
    text: str = "",
    language: str = "",
    content_type: str = "",
    hashtags: list[str] | None = None,
    link: str = "",
    link_context: str = "",
    day: date | None = None,
    event_id: int | None = None,
    consent_id: int | None = None,
    promo_code: str = "",
    source_item_ids: list[int] | None = None,
    source_mention_id: int | None = None,
) -> Idea:
    access.require(Perm.POST_DRAFT)
    if kind not in IdeaKind.values:
        raise DomainError(_("Unknown kind of idea."), field="kind")
    title = title.strip()
    if not title:
        raise DomainError(_("Give the idea a title."), field="title")
    if day is not None:
        check_day(day, field="day")
    event = consent = None
    if event_id is not None:
        event = LocalEvent.objects.filter(workspace=access.workspace, pk=_id(event_id)).first()
        if event is None:
            raise Http404
    if consent_id is not None:
        consent = Consent.objects.filter(workspace=access.workspace, pk=_id(consent_id)).first()
        if consent is None:
            raise Http404
    if kind == IdeaKind.TESTIMONIAL and consent is None:
        raise DomainError(_("A testimonial idea needs the customer's consent record."), field="consent")
    promo_code = promo_code.strip().upper()
    if promo_code:
        if not PROMO_CODE.match(promo_code):
            raise DomainError(_("A promo code is 3–40 letters, digits, - or _."), field="promo_code")
        if Idea.objects.filter(workspace=access.workspace, promo_code=promo_code).exists():
            raise DomainError(_("This promo code is already used by another idea."), field="promo_code")
    elif kind == IdeaKind.DISCOUNT:
        raise DomainError(
            _("A social-only discount needs a promo code, so its use can be counted."), field="promo_code"
        )
    idea = Idea.objects.create(
        workspace=access.workspace,
        kind=kind,
        title=title[:200],
        text=text,
        language=language[:8],
        content_type=content_type,
        hashtags=_clean_hashtags(hashtags),
        link=link,
        link_context=link_context[:255],
        day=day,
        event=event,
        consent=consent,
        promo_code=promo_code,
        source_item_ids=list(source_item_ids or []),
        source_mention_id=source_mention_id,
        created_by=access.user,
    )
    _audit(access, "planning.idea_create", idea, {"kind": kind, "title": idea.title})
    return idea


@transaction.atomic
def idea_set_status(*, access: Access, idea_id: int, status: str) -> Idea:
    access.require(Perm.POST_DRAFT)
    if status not in IdeaStatus.values:
        raise DomainError(_("Unknown status."), field="status")
    idea = Idea.objects.select_for_update().filter(workspace=access.workspace, pk=_id(idea_id)).first()
    if idea is None:
        raise Http404
    before = {"status": idea.status}
    idea.status = status
    idea.save(update_fields=["status", "updated_at"])
    _audit(access, "planning.idea_status", idea, {"status": status}, before)
    return idea


@transaction.atomic
def idea_from_item(*, access: Access, item_id: int) -> Idea:
    """C10: "Make a post from this comment" — a topic idea (FAQ if the comment asks) linked to the item."""
    from kopiena.inbox.models import Item

    access.require(Perm.POST_DRAFT)
    item = Item.objects.filter(workspace=access.workspace, pk=_id(item_id)).first()
    if item is None:
        raise Http404
    existing = Idea.objects.filter(workspace=access.workspace, source_key=f"item:{item.pk}").first()
    if existing is not None:
        return existing
    text = " ".join(item.text.split())
    kind = IdeaKind.FAQ if "question" in (item.intents or []) else IdeaKind.TOPIC
    idea = Idea.objects.create(
        workspace=access.workspace,
        kind=kind,
        title=(text[:117] + "…") if len(text) > 120 else (text or _("A comment")),
        language=item.language[:8],
        source_key=f"item:{item.pk}",
        source_item_ids=[item.pk],
        count=1,
        created_by=access.user,
    )
    _audit(access, "planning.idea_from_item", idea, {"item": item.pk, "kind": kind})
    return idea


def _question_key(text: str) -> str:
    words = re.findall(r"[^\W\d_]+", text.casefold())
    return " ".join(words[:12])


@dataclass(frozen=True)
class IdeasRefresh:
    faq: int
    topics: int
    links: int


@transaction.atomic
def ideas_refresh(*, access: Access, weeks: int = 4, moment: datetime | None = None) -> IdeasRefresh:
    """FAQ ideas from the questions the inbox received (grouped by their words, with counts), topic ideas
    from the nlp topics of the comments, link ideas from listening's RSS mentions — each of the last
    ``weeks`` weeks, each linked to what it came from. Running it again updates counts, never copies."""
    from kopiena.inbox.models import Item
    from kopiena.listening.models import Mention, SourceKind
    from kopiena.nlp.topics import TopicComment, find_topics

    access.require(Perm.POST_DRAFT)
    since = (moment or now()) - timedelta(weeks=weeks)
    items = list(
        Item.objects.filter(
            workspace=access.workspace, remote_created_at__gte=since, spam=False, hidden=False
        )
        .exclude(text="")
        .order_by("remote_created_at", "id")
        .values("pk", "text", "intents", "language", "sentiment")[:5000]
    )
    groups: dict[str, list[dict]] = defaultdict(list)
    for item in items:
        if "question" in (item["intents"] or []) and "?" in item["text"]:
            key = _question_key(item["text"])
            if key:
                groups[key].append(item)
    faq = 0
    for key, group in groups.items():
        if len(group) < 2:
            continue
        faq += 1
        _upsert_idea(access, f"faq:{key}"[:200], IdeaKind.FAQ, group[0]["text"], group, group[0]["language"])
    topics = find_topics(
        [TopicComment(text=i["text"], id=str(i["pk"]), sentiment=i["sentiment"] or None) for i in items][
            :2000
        ]
    )
    for topic in topics:
        members = [i for i in items if str(i["pk"]) in {c.id for c in topic.representatives}]
        _upsert_idea(
            access, f"topic:{topic.label}"[:200], IdeaKind.TOPIC, topic.label, members, "", count=topic.count
        )
    links = 0
    mentions = (
        Mention.objects.filter(workspace=access.workspace, source__kind=SourceKind.FEED)
        .exclude(url="")
        .order_by("-id")
        .values("pk", "title", "text", "url")[:20]
    )
    for mention in mentions:
        key = f"mention:{mention['pk']}"
        if Idea.objects.filter(workspace=access.workspace, source_key=key).exists():
            continue
        links += 1
        Idea.objects.create(
            workspace=access.workspace,
            kind=IdeaKind.LINK,
            title=(mention["title"] or mention["text"] or mention["url"])[:200],
            link=mention["url"][:2000],
            link_context=_("a source our audience values"),
            content_type="link",
            source_key=key,
            source_mention_id=mention["pk"],
            created_by=access.user,
        )
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="planning.ideas_refresh",
        object_type="planning.Idea",
        after={"faq": faq, "topics": len(topics), "links": links},
    )
    return IdeasRefresh(faq=faq, topics=len(topics), links=links)


def _upsert_idea(
    access, key: str, kind: str, title: str, members: list[dict], language: str, count=None
) -> Idea:
    ids = [m["pk"] for m in members]
    title = " ".join(title.split())
    idea, _created = Idea.objects.get_or_create(
        workspace=access.workspace,
        source_key=key,
        defaults={
            "kind": kind,
            "title": (title[:197] + "…") if len(title) > 200 else title,
            "language": (language or "")[:8],
            "created_by": access.user,
        },
    )
    idea.source_item_ids = sorted(set(idea.source_item_ids or []) | set(ids))
    idea.count = max(count or 0, len(idea.source_item_ids))
    idea.save(update_fields=["source_item_ids", "count", "updated_at"])
    return idea


@transaction.atomic
def promo_use_record(*, access: Access, promo_code: str, note: str = "") -> PromoUse:
    """C8: count one use of a social-only promo code (the shop or the till reports it)."""
    access.require(Perm.POST_DRAFT)
    idea = Idea.objects.filter(workspace=access.workspace, promo_code=promo_code.strip().upper()).first()
    if idea is None or not promo_code.strip():
        raise DomainError(_("No idea has this promo code."), field="promo_code")
    use = PromoUse.objects.create(workspace=access.workspace, idea=idea, note=note[:200])
    _audit(access, "planning.promo_use", idea, {"promo_code": idea.promo_code, "note": use.note})
    return use


# ---------------------------------------------------------------- consent (C6)


@transaction.atomic
def consent_create(
    *,
    access: Access,
    person_name: str,
    purpose: str,
    account_ids: list[int],
    person_handle: str = "",
    person_url: str = "",
    evidence_url: str = "",
    evidence_file=None,
    expires_on: date | None = None,
) -> Consent:
    """Record a customer's permission. Refused: no name, no purpose, no account, no evidence, an expiry in
    the past (nothing is written)."""
    access.require(Perm.POST_APPROVE)
    if not person_name.strip():
        raise DomainError(_("Say whose consent this is."), field="person_name")
    if not purpose.strip():
        raise DomainError(_("Say what the person agreed to."), field="purpose")
    if not evidence_url.strip() and not evidence_file:
        raise DomainError(_("Attach the evidence: a link to their message or a file."), field="evidence_url")
    today = now().astimezone(zone_of(access.workspace.timezone)).date()
    if expires_on is not None:
        check_day(expires_on, field="expires_on")
    if expires_on is not None and expires_on < today:
        raise DomainError(
            _("The expiry date is in the past: this consent would never be valid."), field="expires_on"
        )
    ids = list(dict.fromkeys(account_ids))
    if len(db_ids(ids)) != len(ids):
        raise Http404
    accounts = list(ConnectedAccount.objects.filter(workspace=access.workspace, pk__in=ids))
    if len(accounts) != len(ids):
        raise Http404
    if not accounts:
        raise DomainError(_("Choose the accounts the testimonial may appear on."), field="accounts")
    consent = Consent.objects.create(
        workspace=access.workspace,
        person_name=person_name.strip()[:200],
        person_handle=person_handle.strip()[:255],
        person_url=person_url.strip(),
        purpose=purpose.strip(),
        evidence_url=evidence_url.strip(),
        evidence_file=evidence_file or "",
        expires_on=expires_on,
        created_by=access.user,
    )
    consent.accounts.set(accounts)
    _audit(
        access,
        "planning.consent_create",
        consent,
        {
            "person": consent.person_name,
            "accounts": sorted(ids),
            "expires_on": expires_on and expires_on.isoformat(),
        },
    )
    return consent


WITHDRAWN_FLAG = "consent.withdrawn"


@transaction.atomic
def consent_withdraw(*, access: Access, consent_id: int, reason: str = "") -> list[int]:
    """The customer withdrew: the consent stops allowing anything, and every scheduled or published post
    that uses it is flagged (``policy_flags``) and its author and the managers are told. Returns the
    flagged posts' ids."""
    access.require(Perm.POST_APPROVE)
    consent = (
        Consent.objects.select_for_update().filter(workspace=access.workspace, pk=_id(consent_id)).first()
    )
    if consent is None:
        raise Http404
    if consent.withdrawn_at is not None:
        raise DomainError(_("This consent is already withdrawn."))
    consent.withdrawn_at = now()
    consent.withdrawn_reason = reason.strip()
    consent.save(update_fields=["withdrawn_at", "withdrawn_reason", "updated_at"])
    live = [PostState.SCHEDULED, PostState.PUBLISHING, PostState.PUBLISHED, PostState.UNCONFIRMED]
    links = list(
        PostConsent.objects.select_related("post")
        .filter(consent=consent, post__state__in=live)
        .order_by("post_id")
    )
    message = _("%(person)s withdrew their consent: take this testimonial down or off the calendar.") % {
        "person": consent.person_name
    }
    messages = in_languages(
        lambda: (
            _("%(person)s withdrew their consent: take this testimonial down or off the calendar.")
            % {"person": consent.person_name}
        )
    )
    flagged = []
    for link in links:
        post = link.post
        if not any(f.get("code") == WITHDRAWN_FLAG for f in post.policy_flags or []):
            post.policy_flags = [
                *(post.policy_flags or []),
                {"code": WITHDRAWN_FLAG, "path": "consent", "message": message, "messages": messages},
            ]
            post.save(update_fields=["policy_flags", "updated_at"])
        link.flagged_at = consent.withdrawn_at
        link.save(update_fields=["flagged_at", "updated_at"])
        flagged.append(post.pk)
    _audit(
        access,
        "planning.consent_withdraw",
        consent,
        {"reason": consent.withdrawn_reason, "flagged_posts": flagged},
    )
    if flagged:
        managers = Membership.objects.filter(workspace=access.workspace, role__in=[Role.OWNER, Role.MANAGER])
        authors = {link.post.author for link in links}
        recipients = {m.user for m in managers.select_related("user")} | authors
        person = consent.person_name
        count = len(flagged)
        notify(
            workspace_id=access.workspace.pk,
            recipients=sorted(recipients, key=lambda u: u.pk),
            kind="consent_withdrawn",
            title=lambda: _("Consent withdrawn: %(person)s") % {"person": person},
            body=lambda: _("%(count)s testimonial posts use it and are flagged.") % {"count": count},
        )
    return flagged


# ---------------------------------------------------------------- week planner


def _accounts_for(access: Access, account_ids: list[int] | None) -> list[ConnectedAccount]:
    accounts = ConnectedAccount.objects.filter(workspace=access.workspace).select_related("workspace")
    if account_ids:
        ids = set(account_ids)
        if len(db_ids(ids)) != len(ids):
            raise Http404
        accounts = [a for a in accounts if a.pk in ids]
        if len(accounts) != len(ids):
            raise Http404
    return sorted(accounts, key=lambda a: a.pk)


def _save_slots(access: Access, start: date, slots: list[planner.Slot]) -> list[Proposal]:
    return Proposal.objects.bulk_create(
        [
            Proposal(
                workspace=access.workspace,
                week_start=start,
                account=slot.account,
                slot_at=slot.at,
                content_type=slot.content_type,
                theme=slot.theme,
                text=slot.full_text,
                hashtags=slot.hashtags,
                link=slot.link,
                link_context=slot.link_context,
                idea=slot.idea,
                day_key=slot.day_key,
                kind=slot.kind,
                reasons=slot.reasons,
                choice=slot.choice,
            )
            for slot in slots
        ]
    )


@dataclass(frozen=True)
class GenerateResult:
    start: date
    proposals: list[Proposal]
    empty: list[tuple[ConnectedAccount, list[str]]]  # accounts with no free slot, and publishing's reasons


@transaction.atomic
def proposals_generate(
    *, access: Access, start: date, account_ids: list[int] | None = None, moment: datetime | None = None
) -> GenerateResult:
    """Propose the week for the accounts (default: all), replacing the open proposals of that week."""
    access.require(Perm.POST_DRAFT)
    check_day(start, field="week")
    start -= timedelta(days=start.weekday())
    accounts = _accounts_for(access, account_ids)
    if not accounts:
        raise DomainError(_("Connect an account first: the planner proposes posts per account."))
    plan = planner.plan_week(
        workspace=access.workspace, author=access.user, start=start, accounts=accounts, moment=moment
    )
    Proposal.objects.filter(
        workspace=access.workspace, week_start=start, account__in=accounts, status=ProposalStatus.PROPOSED
    ).delete()
    proposals = _save_slots(access, start, plan.slots)
    empty = [(r.account, r.refused) for r in plan.accounts if not r.slots]
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="planning.week_generate",
        object_type="planning.Proposal",
        after={"week": start.isoformat(), "accounts": [a.pk for a in accounts], "proposals": len(proposals)},
    )
    return GenerateResult(start=start, proposals=proposals, empty=empty)


@transaction.atomic
def proposal_regenerate(
    *, access: Access, proposal_id: int, moment: datetime | None = None
) -> Proposal | None:
    """Another option for one slot: the account's week is planned again with this slot moved on to its
    next ranked option (the other slots keep theirs). Returns the slot's new proposal (None if nothing
    else fits)."""
    access.require(Perm.POST_DRAFT)
    proposal = (
        Proposal.objects.select_for_update()
        .filter(workspace=access.workspace, pk=_id(proposal_id), status=ProposalStatus.PROPOSED)
        .select_related("account")
        .first()
    )
    if proposal is None:
        raise Http404
    siblings = list(
        Proposal.objects.filter(
            workspace=access.workspace,
            week_start=proposal.week_start,
            account=proposal.account,
            status=ProposalStatus.PROPOSED,
        )
    )
    choices = {(p.account_id, p.slot_at): p.choice for p in siblings}
    choices[(proposal.account_id, proposal.slot_at)] = proposal.choice + 1
    plan = planner.plan_week(
        workspace=access.workspace,
        author=access.user,
        start=proposal.week_start,
        accounts=[proposal.account],
        choices=choices,
        moment=moment,
    )
    Proposal.objects.filter(pk__in=[p.pk for p in siblings]).delete()
    saved = _save_slots(access, proposal.week_start, plan.slots)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="planning.slot_regenerate",
        object_type="planning.Proposal",
        object_id=proposal_id,
        after={"account": proposal.account_id, "slot": proposal.slot_at.isoformat()},
    )
    return next((p for p in saved if p.slot_at == proposal.slot_at), None)


@transaction.atomic
def proposals_accept(*, access: Access, proposal_ids: list[int]) -> list[Post]:
    """Accepted proposals become drafts at their time (the normal approval flow follows), with the theme
    and its hashtags; a testimonial draft is linked to its consent; the idea is marked used. All or none."""
    access.require(Perm.POST_DRAFT)
    if not proposal_ids:
        raise DomainError(_("Choose at least one proposal."), field="proposal_ids")
    if len(db_ids(proposal_ids)) != len(proposal_ids):
        raise Http404
    proposals = list(
        Proposal.objects.select_for_update(of=("self",))  # PostgreSQL: not the idea's outer join
        .filter(workspace=access.workspace, pk__in=proposal_ids, status=ProposalStatus.PROPOSED)
        .select_related("idea", "account")
        .order_by("slot_at", "account_id", "id")
    )
    if len(proposals) != len(set(proposal_ids)):
        raise DomainError(_("Some of these proposals were already accepted or replaced; reload the planner."))
    posts = []
    for proposal in proposals:
        tags = list(dict.fromkeys([proposal.kind, *[h.lstrip("#") for h in proposal.hashtags]]))
        if proposal.kind == IdeaKind.TESTIMONIAL:
            tags.append("testimonial")
        post = post_create(
            access=access,
            account_ids=[proposal.account_id],
            content_type=proposal.content_type,
            text=proposal.text,
            theme=proposal.theme,
            tags=tags,
            campaign="week-planner",
            link=proposal.link,
            link_context=proposal.link_context,
            planned_at=proposal.slot_at,
        )
        if proposal.idea is not None:
            if proposal.idea.consent_id:
                PostConsent.objects.create(post=post, consent_id=proposal.idea.consent_id)
            Idea.objects.filter(pk=proposal.idea_id).update(status=IdeaStatus.USED, updated_at=now())
        proposal.status = ProposalStatus.ACCEPTED
        proposal.post = post
        proposal.save(update_fields=["status", "post", "updated_at"])
        posts.append(post)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="planning.week_accept",
        object_type="planning.Proposal",
        after={"proposals": [p.pk for p in proposals], "posts": [p.pk for p in posts]},
    )
    return posts


@transaction.atomic
def post_consent_link(*, access: Access, post_id: int, consent_id: int) -> PostConsent:
    """Link a testimonial post written in the composer to its consent (and tag it a testimonial)."""
    access.require(Perm.POST_DRAFT)
    post = Post.objects.filter(workspace=access.workspace, pk=_id(post_id)).first()
    consent = Consent.objects.filter(workspace=access.workspace, pk=_id(consent_id)).first()
    if post is None or consent is None:
        raise Http404
    link, _created = PostConsent.objects.update_or_create(
        post=post, defaults={"consent": consent, "flagged_at": None}
    )
    if "testimonial" not in (post.tags or []):
        Post.objects.filter(pk=post.pk).update(tags=[*(post.tags or []), "testimonial"])
    _audit(access, "planning.post_consent", consent, {"post": post.pk})
    return link
