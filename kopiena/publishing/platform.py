"""The publishing side of the connector contract: the only module in publishing that imports connectors.

It turns our rows into the connector's frozen dataclasses (``PostDraft``), builds a connector for an
account with its decrypted credentials, and hands back the connector's answers unchanged — the engine
decides what each ``kopiena.connectors.errors`` class means for a delivery.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kopiena.connectors import registry
from kopiena.connectors.base import Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.types import AccountCredentials, MediaItem, Metrics, Poll, PostDraft, PublishResult
from kopiena.integrations.connecting import network_options
from kopiena.integrations.models import ConnectedAccount, Credential
from kopiena.integrations.selectors import credential_for
from kopiena.publishing import media_links
from kopiena.publishing.models import Delivery, Post, PostMedia, Variant


def connector_class(account: ConnectedAccount) -> type[Connector]:
    """Raises ``registry.RegistryError`` when no connector serves the account's platform."""
    return registry.get(account.platform)


# Building a connector costs a TLS context (10-40 ms); a worker process reuses one per account until
# the account's address or credential changes. One cache per process, behind a lock (connectors and their
# httpx clients are safe to share between threads); bounded so a worker serving many accounts stays small.
_CONNECTORS: OrderedDict[tuple, Connector] = OrderedDict()
_CONNECTORS_LOCK = threading.Lock()
_CONNECTOR_CACHE_SIZE = 4096


def connector_for(account: ConnectedAccount) -> Connector:
    """A connector for the account with its decrypted credentials (reused while they are unchanged)."""
    try:  # the claim query joins the credential; a lone account asks for it
        stamp = account.credential.updated_at
    except Credential.DoesNotExist:
        stamp = None
    key = (account.pk, account.platform, account.base_url, account.is_sandbox, stamp)
    with _CONNECTORS_LOCK:
        connector = _CONNECTORS.get(key)
        if connector is not None:
            _CONNECTORS.move_to_end(key)
            return connector
    credentials = AccountCredentials(
        secrets=credential_for(account),
        base_url=account.base_url,
        account_key=f"account:{account.pk}",
    )
    connector = connector_class(account)(credentials, **network_options(is_sandbox=account.is_sandbox))
    with _CONNECTORS_LOCK:
        for stale in [k for k in _CONNECTORS if k[0] == account.pk and k != key]:
            _CONNECTORS.pop(stale).http.close()
        _CONNECTORS[key] = connector
        while len(_CONNECTORS) > _CONNECTOR_CACHE_SIZE:
            _CONNECTORS.popitem(last=False)[1].http.close()
    return connector


def draft_for(
    variant: Variant,
    *,
    idempotency_key: str = "",
    post: Post | None = None,
    has_media: bool = True,
    account: ConnectedAccount | None = None,
) -> PostDraft:
    """The variant as the connector's ``PostDraft`` (media in position order, poll from the post).

    ``has_media=False`` (known from the engine's claim query) skips the media query. Platforms that fetch
    media themselves get signed links to our copies (``media_links``) instead of the files."""
    post = post or variant.post
    media = ()
    if has_media:
        by_url = _media_by_url(account or variant.account)
        media = tuple(
            MediaItem(
                source=_media_source(item, by_url),
                mime=item.mime_type,
                alt_text=item.alt_text,
                filename=Path(item.file.name).name if item.file else item.url.rsplit("/", 1)[-1],
            )
            for item in sorted(variant.media.all(), key=lambda m: (m.position, m.pk))
        )
    poll = None
    if post.poll_options:
        poll = Poll(
            options=tuple(post.poll_options),
            **({"expires_in_seconds": post.poll_duration_seconds} if post.poll_duration_seconds else {}),
        )
    return PostDraft(
        text=variant.text, idempotency_key=idempotency_key, media=media, link=post.link, poll=poll
    )


def _media_by_url(account: ConnectedAccount) -> bool:
    try:
        return connector_class(account).media_by_url and media_links.public_links_possible()
    except registry.RegistryError:
        return False


def _media_source(item: PostMedia, by_url: bool) -> Path | str | bytes:
    if not item.file:
        return b""
    return media_links.public_media_url(item) if by_url else Path(item.file.path)


# validate() is offline by contract and reads only the class's limits and the instance address, so one
# credential-less connector per (platform, address) serves every row of a bulk import; it never sends.
_VALIDATORS: dict[tuple[type[Connector], str], Connector] = {}
_VALIDATORS_LOCK = threading.Lock()


def _validator(cls: type[Connector], base_url: str) -> Connector:
    key = (cls, base_url)
    with _VALIDATORS_LOCK:
        connector = _VALIDATORS.get(key)
        if connector is None:
            if len(_VALIDATORS) >= _CONNECTOR_CACHE_SIZE:
                _VALIDATORS.clear()
            connector = _VALIDATORS[key] = cls(AccountCredentials(base_url=base_url), allow_loopback=True)
    return connector


class DraftVariant:
    """An unsaved variant: what ``validate_variant`` reads, nothing saved (the composer's live check, the
    import's read-only planning pass)."""

    class _Media:
        def __init__(self, items):
            self._items = list(items)

        def all(self):
            return self._items

    def __init__(self, *, post: Post, account: ConnectedAccount, text: str, media=()):
        self.post, self.account, self.text, self.media = post, account, text, self._Media(media)
        self.account_id = account.pk


# No platform takes more text than its declared limit; a text this many times the longest one is refused
# before anything counts it (counting graphemes, weighting links and matching own links over 200,000
# characters took seconds, and the answer could only be "too long").
TEXT_CEILING_FACTOR = 2
TEXT_CEILING_FLOOR = 10_000


def text_ceiling() -> int:
    """The most characters a post's text may have: twice the longest text any registered platform takes."""
    longest = max((cls.limits.max_text_length for cls in registry.all()), default=0)
    return TEXT_CEILING_FACTOR * max(longest, TEXT_CEILING_FLOOR)


def text_ceiling_message(length: int) -> str:
    return _("The text is %(length)s characters; no platform takes more than %(longest)s.") % {
        "length": length,
        "longest": text_ceiling() // TEXT_CEILING_FACTOR,
    }


@dataclass(frozen=True)
class VariantCheck:
    """A variant as its platform sees it: the text's length counted the platform's way (links weighted,
    graphemes…), the platform's limit (0: none known) and every problem ``validate()`` finds."""

    length: int
    limit: int
    problems: list[dict]
    # The preview: the text as the platform shows it, and the link when the platform shows it as a card.
    text: str = ""
    link_card: str = ""
    max_media: int = 0
    platform_name: str = ""

    @property
    def link_domain(self) -> str:
        return (urlsplit(self.link_card).hostname or "").removeprefix("www.")


def validate_variant(variant: Variant | DraftVariant) -> list[dict]:
    """The connector's ``validate()`` for this variant as [{"code", "field", "message"}] (no network)."""
    return check_variant(variant).problems


def check_variant(variant: Variant | DraftVariant) -> VariantCheck:
    """``validate_variant`` with the length the platform counts, so a header and an error never disagree."""
    if len(variant.text) > text_ceiling():
        problem = {"code": "too_long", "field": "text", "message": text_ceiling_message(len(variant.text))}
        return VariantCheck(len(variant.text), 0, [problem])
    try:
        cls = connector_class(variant.account)
    except registry.RegistryError:
        return VariantCheck(
            len(variant.text),
            0,
            [
                {
                    "code": "no_connector",
                    "field": "account",
                    "message": _("Kopiena cannot publish to %(platform)s.")
                    % {"platform": variant.account.platform},
                }
            ],
        )
    problems = [
        {
            "code": "media_not_downloaded",
            "field": f"media[{n}]",
            "message": _("Upload the file for %(url)s.") % {"url": item.url},
        }
        for n, item in enumerate(variant.media.all())
        if not item.file
    ]
    if cls.media_by_url and not media_links.public_links_possible() and variant.media.exists():
        problems.append(
            {
                "code": "needs_public_address",
                "field": "media",
                "message": _(
                    "%(platform)s downloads media from this server: set KOPIENA_BASE_URL to its public "
                    "https:// address."
                )
                % {"platform": cls.name},
            }
        )
    if not cls.supports(Capability.PUBLISH):
        problems.append(
            {"code": "cannot_publish", "field": "account", "message": _("This account cannot publish posts.")}
        )
        return VariantCheck(len(variant.text), 0, problems)
    validator = _validator(cls, variant.account.base_url)
    draft = draft_for(variant)
    found = validator.validate(draft)
    length = validator.text_length(draft)
    problems += [{"code": p.code, "field": p.field, "message": _translated(p, length)} for p in found]
    # A platform may lower its limit for a kind of post (Telegram's caption under media): its own word wins.
    limit = next(
        (p.limit for p in found if p.code == "too_long" and p.field == "text" and p.limit),
        cls.limits.max_text_length,
    )
    shown = validator.text_as_sent(draft)
    card = draft.link if draft.link and draft.link not in shown else ""
    return VariantCheck(length, limit, problems, shown, card, cls.limits.max_media, cls.name or cls.key)


def publish(delivery: Delivery) -> PublishResult:
    """Send the delivery once, with its idempotency key. Only connector errors escape."""
    connector = connector_for(delivery.account)
    return connector.publish(_delivery_draft(delivery))


def _delivery_draft(delivery: Delivery) -> PostDraft:
    return draft_for(
        delivery.variant,
        idempotency_key=delivery.idempotency_key,
        post=delivery.post,
        has_media=getattr(delivery, "has_media", True),  # annotated by the claim query
        account=delivery.account,
    )


def find_published(delivery: Delivery) -> PublishResult | None:
    """After an unknown outcome: the platform's post for this delivery, or None if it does not exist."""
    connector = connector_for(delivery.account)
    return connector.find_published(_delivery_draft(delivery))


def can_reconcile(account: ConnectedAccount) -> bool:
    return connector_class(account).supports(Capability.RECONCILE)


def can_measure(account: ConnectedAccount) -> bool:
    return connector_class(account).supports(Capability.METRICS)


def fetch_metrics(account: ConnectedAccount, remote_ids: list[str]) -> dict[str, Metrics]:
    return connector_for(account).fetch_metrics(remote_ids)


# The connectors' validation sentences (pure Python, English) in the reader's language: the fixed ones by their
# text, the ones with numbers by their code (``_translated``).
CONNECTOR_MESSAGES = (
    gettext_noop("A Facebook video post carries one video only."),
    gettext_noop("A LinkedIn post carries either a link card or images, not both."),
    gettext_noop("A TikTok post needs a video."),
    gettext_noop("A VK comment is text up to 16384 characters."),
    gettext_noop("A YouTube comment is text only."),
    gettext_noop("A YouTube post needs exactly one video file."),
    gettext_noop("A link preview and media cannot share a post."),
    gettext_noop("A local post needs a text (its summary)."),
    gettext_noop("A poll cannot carry a link."),
    gettext_noop("A poll cannot carry media."),
    gettext_noop("A poll needs at least 2 options."),
    gettext_noop("A post on X has a poll or media, not both."),
    gettext_noop("A review reply is text only."),
    gettext_noop("An Instagram post needs an image or a video."),
    gettext_noop("An option is empty."),
    gettext_noop("Google fetches the photo itself: it needs a public address."),
    gettext_noop("Links in Instagram captions are not clickable."),
    gettext_noop("Links in TikTok captions are not clickable."),
    gettext_noop("Mastodon cannot attach media and a poll together."),
    gettext_noop("Media attachments are not supported here."),
    gettext_noop("Not a Telegram message id."),
    gettext_noop("Only one image (the thumbnail) is possible."),
    gettext_noop("Polls are not supported here."),
    gettext_noop("Telegram posts are public, or silent (unlisted) at most."),
    gettext_noop("The description may not contain < or >."),
    gettext_noop("The first line (the title) is empty."),
    gettext_noop("The link must be an http(s) address."),
    gettext_noop("The poll ends too soon."),
    gettext_noop("The poll needs a question."),
    gettext_noop("The poll runs too long."),
    gettext_noop("The post is empty."),
    gettext_noop("The reply is empty."),
    gettext_noop("The title may not contain < or >."),
    gettext_noop("YouTube videos are public or unlisted here."),
    gettext_noop("Threads/replies are not supported here."),
    gettext_noop("Quote posts are not supported here."),
    gettext_noop("Content warnings are not supported here."),
    gettext_noop("Only public posts are possible here."),
)


def _translated(problem, length: int | None) -> str:
    """A connector's ValidationProblem message in the active language (its English text when unknown)."""
    if problem.code == "too_long" and problem.field == "text" and problem.limit and length is not None:
        return _("The text is %(length)s characters; the limit is %(limit)s.") % {
            "length": length,
            "limit": problem.limit,
        }
    if problem.code == "too_many" and problem.field == "media" and problem.limit:
        count = re.match(r"\d+", problem.message)
        if count:
            return _("%(count)s attachments; at most %(limit)s.") % {
                "count": count.group(),
                "limit": problem.limit,
            }
    if problem.message in CONNECTOR_MESSAGES:
        return _(problem.message)
    return problem.message
