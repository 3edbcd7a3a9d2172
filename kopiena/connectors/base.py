"""The connector contract: one class per platform, one instance per connected account.

Like django-allauth's providers, each platform is a small package (``connector.py`` for this class,
``client.py`` for endpoint calls, ``mappers.py`` for JSON → our dataclasses, ``webhooks.py``,
``constants.py`` with every endpoint linked to its doc) registered in :mod:`.registry`. Like Sentry's
integrations, the *provider* (this class: what the platform can do) is separate from the *installed
account* (``integrations.ConnectedAccount`` + encrypted ``Credential``), which builds an instance with
decrypted :class:`AccountCredentials` for the duration of a call.

Rules for implementers
----------------------
* Pure Python: no Django, no ORM, no settings. Platform JSON never leaves the package.
* Only :mod:`kopiena.connectors.errors` exceptions escape (the :class:`HttpClient` already maps HTTP).
* Declare ``capabilities`` honestly; every declared one must override its methods
  (:func:`kopiena.connectors.capabilities.check_capabilities`); the stubs here raise PermanentError.
* ``publish``/``reply`` call ``self.ensure_valid(draft)`` first, send ``draft.idempotency_key`` to the
  platform where it has such a thing, and never retry a request that may have been received
  (the client raises OutcomeUnknown; the engine then calls ``find_published``).
* Cursors are opaque strings the connector alone understands; callers store and hand them back.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from enum import StrEnum
from typing import ClassVar

from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import ContentRejected, OutcomeUnknown, PermanentError, TransientError
from kopiena.connectors.http import HttpClient
from kopiena.connectors.types import (
    AccountCredentials,
    AccountInfo,
    AccountPosts,
    AccountStats,
    Limits,
    Metrics,
    Page,
    PostDraft,
    PublishResult,
    StreamEvent,
    ValidationProblem,
    Visibility,
    WebhookChallenge,
    WebhookEvent,
)


class ConnectKind(StrEnum):
    """How a person connects an account (the UI picks the flow from this)."""

    OAUTH = "oauth"  # redirect to the platform; the connector module has the OAuth helpers
    TOKEN = "token"  # noqa: S105 - a flow name, not a secret. Paste a token (bot token, community token, page token)
    APP_PASSWORD = "app_password"  # noqa: S105 - a flow name. Handle + app password (Bluesky)
    URL = "url"  # just an address (RSS/Atom feed)


class Connector:
    """Base class. Subclasses set the class attributes and override what they declare.

    Construct as ``SomeConnector(credentials, http=...)``. Without ``http`` a guarded
    :class:`HttpClient` is built for ``credentials.base_url`` (or ``default_base_url``);
    ``allow_loopback=True`` is only for tests and the local sandbox; ``allow_private=True`` lets an
    on-premise platform on a private network be reached (the operator's choice). A subclass that overrides
    ``__init__`` must accept and forward both (tests/connectors/test_registry.py checks every connector).
    """

    key: ClassVar[str] = ""  # registry key, stored in ConnectedAccount.platform
    name: ClassVar[str] = ""  # human name of the platform
    capabilities: ClassVar[frozenset[Capability]] = frozenset()
    limits: ClassVar[Limits] = Limits()
    connect: ClassVar[ConnectKind] = ConnectKind.TOKEN
    credential_fields: ClassVar[tuple[str, ...]] = ()  # keys expected in AccountCredentials.secrets
    # Secrets an OAuth flow obtains beside the form's fields and that must be stored too (a token's expiry);
    # the token form never asks for them.
    kept_fields: ClassVar[tuple[str, ...]] = ()
    # The credentials that are secrets (scrubbed from logs, refused in URLs); None: every credential. Ids kept
    # beside them (a user or organisation id) belong in URLs and must be left out here.
    secret_fields: ClassVar[tuple[str, ...] | None] = None
    default_base_url: ClassVar[str] = ""  # empty: the account must give one (any instance/PDS)
    docs_url: ClassVar[str] = ""
    requests_per_second: ClassVar[float] = 2.0
    burst: ClassVar[int] = 20
    follow_redirects: ClassVar[bool] = False  # each hop is checked by the SSRF guard anyway
    # The platform downloads media itself (Instagram): MediaItem.source must be a public https:// address,
    # so Kopiena hands it a signed, expiring link to its own copy instead of the file.
    media_by_url: ClassVar[bool] = False

    def __init__(
        self,
        credentials: AccountCredentials,
        *,
        http: HttpClient | None = None,
        allow_loopback: bool = False,
        allow_private: bool = False,
    ):
        self.credentials = credentials
        self.base_url = (credentials.base_url or self.default_base_url).rstrip("/")
        self.http = http or HttpClient(
            base_url=self.base_url,
            account_key=credentials.account_key or f"{self.key}:{self.base_url}",
            secrets=(
                credentials.secret_values()
                if self.secret_fields is None
                else [credentials.secret(name) for name in self.secret_fields]
            ),
            allow_loopback=allow_loopback,
            allow_private=allow_private,
            rate_per_second=self.requests_per_second,
            burst=self.burst,
            error_mapper=self.map_error,
            follow_redirects=self.follow_redirects,
        )
        if self.http.error_mapper is None:
            self.http.error_mapper = self.map_error

    def __repr__(self) -> str:
        return f"<{type(self).__name__} base_url={self.base_url!r}>"

    def close(self) -> None:
        """Release the HTTP connections (long-running workers: use ``with cls(...) as connector``)."""
        self.http.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @classmethod
    def supports(cls, capability: Capability) -> bool:
        return capability in cls.capabilities

    def map_error(self, response, words: str):
        """Hook for the HTTP client: return a more precise connector error for ``response`` or
        ``None`` for the default mapping (e.g. 401 "token revoked" → AccountDisconnected)."""
        return None

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        """Check the credentials and say whose account they are. Every connector implements it."""
        raise NotImplementedError

    def updated_secrets(self) -> dict[str, str]:
        """Secrets that changed during this instance's calls (a refreshed session or token): the
        caller re-encrypts and stores them after the call. Empty when nothing changed."""
        return {}

    # Publishing -----------------------------------------------------------------------------
    def _prepare(self, call: Callable[[], object]):
        """Run a preparatory step (a media upload, a container): a lost answer there cannot have published
        anything, so it is an ordinary retry, not an outcome to reconcile."""
        try:
            return call()
        except OutcomeUnknown as exc:
            raise TransientError(f"A media upload got no answer; nothing was published. {exc}") from None

    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        """EVERY problem with ``draft`` at once (empty list: publishable). No network.

        The generic checks use ``limits`` and ``capabilities``; subclasses extend with
        ``problems = super().validate(draft)`` and platform rules (grapheme counting, link
        weighting …)."""
        problems: list[ValidationProblem] = []
        caps, limits = self.capabilities, self.limits
        if not draft.text.strip() and not draft.media and not draft.poll:
            problems.append(ValidationProblem("text", "empty", "The post is empty."))
        text_length = self.text_length(draft)
        if limits.max_text_length and text_length > limits.max_text_length:
            problems.append(
                ValidationProblem(
                    "text", "too_long",
                    f"The text is {text_length} characters; the limit is {limits.max_text_length}.",
                    limits.max_text_length,
                )
            )  # fmt: skip
        problems += self._validate_media(draft)
        if draft.poll is not None:
            problems += self._validate_poll(draft)
        unsupported = [
            ("reply_to", Capability.THREADS, bool(draft.reply_to), "Threads/replies are not supported here."),
            ("quote_of", Capability.QUOTE, bool(draft.quote_of), "Quote posts are not supported here."),
            ("content_warning", Capability.CONTENT_WARNING, bool(draft.content_warning),
             "Content warnings are not supported here."),
            ("visibility", Capability.VISIBILITY, draft.visibility != Visibility.PUBLIC,
             "Only public posts are possible here."),
        ]  # fmt: skip
        for field, capability, used, message in unsupported:
            if used and capability not in caps:
                problems.append(ValidationProblem(field, "unsupported", message))
        return problems

    def text_length(self, draft: PostDraft) -> int:
        """How the platform counts the text (override for graphemes, weighted links …)."""
        return len(draft.text)

    def text_as_sent(self, draft: PostDraft) -> str:
        """The text as the platform will show it (override where the link is appended to the text; where
        it is not, a platform with a link field shows the link as a card). The composer's preview."""
        return draft.text

    def ensure_valid(self, draft: PostDraft) -> None:
        """Raise :class:`ContentRejected` with every problem, or return."""
        problems = self.validate(draft)
        if problems:
            raise ContentRejected(problems=problems)

    def publish(self, draft: PostDraft) -> PublishResult:
        """Publish ``draft`` once. Raises OutcomeUnknown when it may or may not have happened."""
        raise self._unsupported(Capability.PUBLISH)

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        """After OutcomeUnknown: the post ``draft`` produced (matched by idempotency key or
        content among our recent posts), or ``None`` if it certainly does not exist."""
        raise self._unsupported(Capability.RECONCILE)

    def delete(self, remote_id: str) -> None:
        raise self._unsupported(Capability.DELETE)

    # Reading --------------------------------------------------------------------------------
    def fetch_comments(self, *, post_id: str, cursor: str = "") -> Page:
        """Comments/replies under our post ``post_id`` newer than ``cursor`` (oldest first)."""
        raise self._unsupported(Capability.READ_COMMENTS)

    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """Mentions of the account (and, for feeds, feed items) newer than ``cursor`` (oldest
        first). May include replies to our posts as kind COMMENT: ingest dedupes on external_id."""
        raise self._unsupported(Capability.READ_MENTIONS)

    def fetch_messages(self, *, cursor: str = "") -> Page:
        raise self._unsupported(Capability.READ_MESSAGES)

    def search(self, query: str, *, cursor: str = "") -> Page:
        """Public posts matching ``query`` (a phrase or #hashtag) newer than ``cursor``, as MENTIONs."""
        raise self._unsupported(Capability.SEARCH)

    def fetch_account_posts(self, account: str, *, cursor: str = "") -> AccountPosts:
        """Another public account's own posts (``account``: its handle or platform id) newer than
        ``cursor``, with their counters — for tracking competitors."""
        raise self._unsupported(Capability.ACCOUNT_POSTS)

    def fetch_removed(self, *, post_id: str, remote_ids: Sequence[str]) -> tuple[str, ...]:
        """Which of ``remote_ids`` (comments we stored under ``post_id``) were deleted on the platform."""
        raise self._unsupported(Capability.EDITS)

    def stream_mentions(self, *, stop: Callable[[], bool]) -> Iterator[StreamEvent]:
        """Mentions (and edits/deletions of statuses) as the platform pushes them, until the connection
        ends (then the caller reconnects, with a pause) or ``stop()`` is true. Yields ``StreamEvent``s;
        a heartbeat yields nothing but lets the caller check ``stop``. Errors are connectors.errors."""
        raise self._unsupported(Capability.STREAMING)

    def fetch_metrics(self, remote_ids: Sequence[str]) -> dict[str, Metrics]:
        """Current counters for our posts; ids the platform no longer knows are left out."""
        raise self._unsupported(Capability.METRICS)

    def fetch_account_stats(self) -> AccountStats:
        """Our account's followers, following and posts counts now (read once a day for growth charts)."""
        raise self._unsupported(Capability.ACCOUNT_STATS)

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Answer the item ``parent_id`` (a RemoteItem.external_id) with ``draft``."""
        raise self._unsupported(Capability.REPLY)

    def hide(self, remote_id: str) -> None:
        raise self._unsupported(Capability.HIDE)

    def unhide(self, remote_id: str) -> None:
        raise self._unsupported(Capability.HIDE)

    # Webhooks -------------------------------------------------------------------------------
    def verify_webhook(self, *, headers: Mapping[str, str], body: bytes, secret: str) -> bool:
        """True only for an authentic delivery (constant-time signature/secret comparison)."""
        raise self._unsupported(Capability.WEBHOOKS)

    def parse_webhook(self, *, headers: Mapping[str, str], body: bytes) -> list[WebhookEvent]:
        """Events in a VERIFIED delivery (one body may batch several, each with a delivery_key)."""
        raise self._unsupported(Capability.WEBHOOKS)

    def webhook_challenge(
        self, *, method: str, query: Mapping[str, str], body: bytes, secret: str
    ) -> WebhookChallenge | None:
        """The answer to a subscription handshake (Meta hub.challenge, VK confirmation), if this
        request is one; ``None`` otherwise."""
        return None

    def _unsupported(self, capability: Capability) -> PermanentError:
        return PermanentError(f"{self.name or self.key} does not support {capability.value}.")

    def _validate_media(self, draft: PostDraft) -> list[ValidationProblem]:
        problems: list[ValidationProblem] = []
        limits = self.limits
        if not draft.media:
            return problems
        if Capability.PUBLISH_MEDIA not in self.capabilities:
            return [ValidationProblem("media", "unsupported", "Media attachments are not supported here.")]
        if limits.max_media and len(draft.media) > limits.max_media:
            problems.append(
                ValidationProblem(
                    "media", "too_many", f"{len(draft.media)} attachments; at most {limits.max_media}.",
                    limits.max_media,
                )
            )  # fmt: skip
        for index, item in enumerate(draft.media):
            field = f"media[{index}]"
            mime = item.mime_type
            if limits.media_mime_types and mime not in limits.media_mime_types:
                problems.append(ValidationProblem(field, "bad_type", f"{item.name}: {mime} is not accepted."))
                continue
            cap = limits.max_video_bytes if mime.startswith("video/") else limits.max_image_bytes
            try:
                size = item.size_bytes
            except OSError:
                problems.append(ValidationProblem(field, "missing", f"{item.name}: the file cannot be read."))
                continue
            if cap and size > cap:
                problems.append(
                    ValidationProblem(field, "too_big", f"{item.name}: {size} bytes; at most {cap}.", cap)
                )
            if limits.max_alt_text_length and len(item.alt_text) > limits.max_alt_text_length:
                problems.append(
                    ValidationProblem(
                        field, "alt_too_long",
                        f"{item.name}: the description is longer than {limits.max_alt_text_length} characters.",
                        limits.max_alt_text_length,
                    )
                )  # fmt: skip
        return problems

    def _validate_poll(self, draft: PostDraft) -> list[ValidationProblem]:
        poll, limits = draft.poll, self.limits
        assert poll is not None
        if Capability.POLLS not in self.capabilities:
            return [ValidationProblem("poll", "unsupported", "Polls are not supported here.")]
        problems: list[ValidationProblem] = []
        if len(poll.options) < 2:
            problems.append(ValidationProblem("poll", "too_few_options", "A poll needs at least 2 options."))
        if limits.max_poll_options and len(poll.options) > limits.max_poll_options:
            problems.append(
                ValidationProblem(
                    "poll", "too_many_options", f"A poll may have at most {limits.max_poll_options} options.",
                    limits.max_poll_options,
                )
            )  # fmt: skip
        for index, option in enumerate(poll.options):
            if not option.strip():
                problems.append(ValidationProblem(f"poll.options[{index}]", "empty", "An option is empty."))
            elif limits.max_poll_option_length and len(option) > limits.max_poll_option_length:
                problems.append(
                    ValidationProblem(
                        f"poll.options[{index}]", "too_long",
                        f"Option {index + 1} is longer than {limits.max_poll_option_length} characters.",
                        limits.max_poll_option_length,
                    )
                )  # fmt: skip
        if limits.min_poll_expiry_seconds and poll.expires_in_seconds < limits.min_poll_expiry_seconds:
            problems.append(
                ValidationProblem("poll.expires_in_seconds", "too_short", "The poll ends too soon.")
            )
        if limits.max_poll_expiry_seconds and poll.expires_in_seconds > limits.max_poll_expiry_seconds:
            problems.append(
                ValidationProblem("poll.expires_in_seconds", "too_long", "The poll runs too long.")
            )
        return problems
