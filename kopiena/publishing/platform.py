"""The publishing side of the connector contract: the only module in publishing that imports connectors.

It turns our rows into the connector's frozen dataclasses (``PostDraft``), builds a connector for an
account with its decrypted credentials, and hands back the connector's answers unchanged — the engine
decides what each ``kopiena.connectors.errors`` class means for a delivery.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from django.utils.translation import gettext as _

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


def validate_variant(variant: Variant | DraftVariant) -> list[dict]:
    """The connector's ``validate()`` for this variant as [{"code", "field", "message"}] (no network)."""
    try:
        cls = connector_class(variant.account)
    except registry.RegistryError:
        return [
            {
                "code": "no_connector",
                "field": "account",
                "message": _("Kopiena cannot publish to %(platform)s.")
                % {"platform": variant.account.platform},
            }
        ]
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
        return problems
    found = _validator(cls, variant.account.base_url).validate(draft_for(variant))
    return problems + [{"code": p.code, "field": p.field, "message": p.message} for p in found]


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
