"""Google Business Profile (one location) through Google's documented REST APIs. Endpoints: :mod:`.constants`.

* Reviews are what local businesses answer most: ``fetch_mentions`` reads them (kind COMMENT, with the
  stars and whether the business already replied), ``reply`` answers one. A review has ONE reply and the
  API sets it with PUT, so answering again updates it and a repeated request cannot make a duplicate.
* ``publish`` creates a local post (summary ≤ 1500 characters, one photo by public URL, the draft's link
  as a "Learn more" button). Google has no idempotency key, so after OutcomeUnknown ``find_published``
  lists the recent local posts and matches summary, link and create time.
* Reviews cannot be hidden or deleted by the business (only reported to Google): no HIDE.
* OAuth 2.0: the access token (1 hour) is refreshed with the refresh token when missing or refused, once
  per call; ``updated_secrets`` hands the new one back to be stored.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from kopiena.connectors.base import ConnectKind, Connector
from kopiena.connectors.capabilities import Capability
from kopiena.connectors.errors import (
    AccountDisconnected,
    AddressNotAllowed,
    AuthExpired,
    ContentRejected,
    PermanentError,
)
from kopiena.connectors.google_business import constants as api
from kopiena.connectors.google_business import mappers
from kopiena.connectors.http import HttpClient
from kopiena.connectors.types import (
    AccountCredentials,
    AccountInfo,
    Limits,
    Page,
    PostDraft,
    PublishResult,
    ValidationProblem,
)


def _normalise(text: str) -> str:
    return " ".join(text.split())


def _is_url(source: Any) -> bool:
    return isinstance(source, str) and source.startswith(("https://", "http://"))


class GoogleBusinessConnector(Connector):
    key = "google_business"
    name = "Google Business Profile"
    docs_url = "https://developers.google.com/my-business"
    connect = ConnectKind.TOKEN
    # ``location``: "accounts/{account}/locations/{location}"; the access token is obtained with the
    # refresh token (and handed back through updated_secrets).
    credential_fields = ("location", "refresh_token", "client_id", "client_secret")
    default_base_url = "https://mybusiness.googleapis.com"
    capabilities = frozenset(
        {
            Capability.PUBLISH,
            Capability.PUBLISH_MEDIA,
            Capability.READ_MENTIONS,
            Capability.REPLY,
            Capability.DELETE,
            Capability.RECONCILE,
        }
    )  # No HIDE: a business cannot hide or delete a review. No METRICS: not implemented.
    limits = Limits(
        max_text_length=api.MAX_SUMMARY,
        max_media=api.MAX_MEDIA,
        max_image_bytes=api.MAX_PHOTO_BYTES,
        media_mime_types=api.PHOTO_TYPES,
    )
    media_by_url = True  # Google fetches the photo from a public address (LocalPost media.sourceUrl)
    requests_per_second = 1.0  # the default quota is 300 requests a minute per project
    burst = 10

    # The real secrets; the location name stored beside them belongs in URLs.
    secret_fields: ClassVar[tuple[str, ...]] = ("access_token", "refresh_token", "client_secret")

    def __init__(
        self,
        credentials: AccountCredentials,
        *,
        http: HttpClient | None = None,
        allow_loopback: bool = False,
        allow_private: bool = False,
    ):
        if http is None:
            http = HttpClient(
                base_url=(credentials.base_url or self.default_base_url).rstrip("/"),
                account_key=credentials.account_key or f"{self.key}:{credentials.secret('location')}",
                secrets=[credentials.secret(name) for name in self.secret_fields],
                allow_loopback=allow_loopback,
                allow_private=allow_private,
                rate_per_second=self.requests_per_second,
                burst=self.burst,
            )
        super().__init__(credentials, http=http, allow_loopback=allow_loopback, allow_private=allow_private)
        self._access_token = credentials.secret("access_token")
        self._updated: dict[str, str] = {}

    # Plumbing -------------------------------------------------------------------------------
    @property
    def location(self) -> str:
        name = self.credentials.secret("location").strip().strip("/")
        parts = name.split("/")
        if len(parts) != 4 or parts[0] != "accounts" or parts[2] != "locations":
            raise PermanentError("The location must look like accounts/123/locations/456.")
        return name

    def _url(self, endpoint: tuple[str, str], **names: str) -> str:
        host, path = endpoint
        path = path.format(**names)
        if self.base_url == self.default_base_url:
            return f"https://{host}{path}"
        return f"{self.base_url}{path}"  # tests and the sandbox: one server answers for every host

    def updated_secrets(self) -> dict[str, str]:
        return dict(self._updated)

    def _refresh(self) -> None:
        refresh_token = self.credentials.secret("refresh_token")
        if not refresh_token:
            raise AuthExpired("Google refused the access token and there is no refresh token.")
        try:
            body = self.http.post(
                self._url(api.TOKEN),
                data={
                    "grant_type": "refresh_token",
                    "refresh_token": refresh_token,
                    "client_id": self.credentials.secret("client_id"),
                    "client_secret": self.credentials.secret("client_secret"),
                },
                idempotent=True,  # a repeated refresh only mints another access token
            ).json()
        except AddressNotAllowed:
            raise
        except (ContentRejected, PermanentError, AuthExpired) as exc:
            # invalid_grant: the person revoked access or the refresh token expired (7 days for apps in
            # "testing"); only signing in again helps.
            raise AccountDisconnected(
                f"Google no longer accepts the sign-in: {exc.platform_message or exc.message}",
                status=exc.status,
            ) from None
        token = str(body.get("access_token") or "")
        if not token:
            raise AuthExpired("Google's token answer had no access token.")
        self.http.add_secret(token)
        self._access_token = token
        self._updated["access_token"] = token

    def _call(self, method: str, endpoint: tuple[str, str], names: Mapping[str, str] | None = None, **kwargs):
        """An authenticated call; a missing or refused access token is refreshed ONCE and the call repeated
        (a 401 means Google did not act on the request, so repeating even a POST is safe)."""
        if not self._access_token:
            self._refresh()
        url = self._url(endpoint, **(names or {}))
        for attempt in (1, 2):
            headers = {"Authorization": f"Bearer {self._access_token}"}
            try:
                return self.http.request(method, url, headers=headers, **kwargs)
            except AuthExpired:
                if attempt == 2 or not self.credentials.secret("refresh_token"):
                    raise
                self._refresh()
        raise AssertionError("unreachable")

    def map_error(self, response, words: str):
        lowered = words.lower()
        status = response.status_code
        if status == 429 or "resource_exhausted" in lowered:
            return None  # the client's RateLimited, with Retry-After (60 s when Google gives none)
        if status == 403 and any(
            w in lowered for w in ("permission_denied", "does not have permission", "caller does not have")
        ):
            return AccountDisconnected(
                f"The Google account no longer manages this location: {words}",
                status=403,
                platform_message=words,
            )
        return None

    # Account --------------------------------------------------------------------------------
    def verify(self) -> AccountInfo:
        location_id = self.location.split("/")[3]
        location = self._call(
            "GET", api.LOCATION, {"location_id": location_id}, params={"readMask": api.LOCATION_READ_MASK}
        ).json()
        return mappers.location_info(location, self.location)

    def list_locations(self) -> list[tuple[str, str]]:
        """Every (``accounts/…/locations/…``, title) the signed-in person manages: the connect flow offers
        them to choose from."""
        found: list[tuple[str, str]] = []
        accounts = self._call("GET", api.ACCOUNTS, params={"pageSize": 20}).json().get("accounts", [])
        for account in accounts:
            token = ""
            while True:
                params: dict[str, Any] = {"readMask": "name,title", "pageSize": 100}
                if token:
                    params["pageToken"] = token
                body = self._call(
                    "GET", api.ACCOUNT_LOCATIONS, {"account": account["name"]}, params=params
                ).json()
                for location in body.get("locations", []):
                    location_id = str(location["name"]).split("/")[-1]
                    found.append(
                        (f"{account['name']}/locations/{location_id}", str(location.get("title") or ""))
                    )
                token = body.get("nextPageToken") or ""
                if not token:
                    break
        return found

    # Publishing -----------------------------------------------------------------------------
    def validate(self, draft: PostDraft) -> list[ValidationProblem]:
        problems = super().validate(draft)
        if not draft.text.strip() and draft.media:  # without media the generic check already said so
            problems.append(ValidationProblem("text", "empty", "A local post needs a text (its summary)."))
        for index, item in enumerate(draft.media):
            if not _is_url(item.source):
                problems.append(
                    ValidationProblem(
                        f"media[{index}]",
                        "needs_url",
                        "Google fetches the photo itself: it needs a public address.",
                    )
                )
        if draft.link and not draft.link.startswith(("https://", "http://")):
            problems.append(ValidationProblem("link", "bad_url", "The link must be an http(s) address."))
        return problems

    def _validate_media(self, draft: PostDraft) -> list[ValidationProblem]:
        # The photo is a public URL Google downloads: its size cannot be checked here, its type can.
        problems = []
        if len(draft.media) > api.MAX_MEDIA:
            problems.append(
                ValidationProblem(
                    "media", "too_many", f"{len(draft.media)} photos; at most {api.MAX_MEDIA}.", 1
                )
            )
        for index, item in enumerate(draft.media):
            if item.mime_type not in api.PHOTO_TYPES:
                problems.append(
                    ValidationProblem(
                        f"media[{index}]", "bad_type", f"{item.name}: {item.mime_type} is not accepted."
                    )
                )
        return problems

    def _post_body(self, draft: PostDraft) -> dict[str, Any]:
        body: dict[str, Any] = {"summary": draft.text, "topicType": "STANDARD"}
        if draft.language:
            body["languageCode"] = draft.language
        if draft.link:
            body["callToAction"] = {"actionType": "LEARN_MORE", "url": draft.link}
        if draft.media:
            body["media"] = [{"mediaFormat": "PHOTO", "sourceUrl": item.source} for item in draft.media]
        return body

    def publish(self, draft: PostDraft) -> PublishResult:
        self.ensure_valid(draft)
        post = self._call("POST", api.LOCAL_POSTS, {"location": self.location}, json=self._post_body(draft))
        return mappers.publish_result(post.json())

    def find_published(self, draft: PostDraft) -> PublishResult | None:
        # No idempotency key on Google's side: the newest recent post with the same summary and link.
        wanted = _normalise(draft.text)
        since = datetime.now(UTC) - timedelta(seconds=api.RECONCILE_WINDOW_SECONDS)
        body = self._call(
            "GET", api.LOCAL_POSTS, {"location": self.location}, params={"pageSize": api.POSTS_PAGE_SIZE}
        ).json()
        matches = []
        for post in body.get("localPosts", []):
            link = str((post.get("callToAction") or {}).get("url") or "")
            created = post.get("createTime")
            if not created or mappers.parse_time(created) < since:
                continue
            if _normalise(str(post.get("summary") or "")) == wanted and link == (draft.link or ""):
                matches.append(post)
        if not matches:
            return None
        return mappers.publish_result(max(matches, key=lambda p: mappers.parse_time(p["createTime"])))

    def delete(self, remote_id: str) -> None:
        if not remote_id.startswith(f"{self.location}/localPosts/"):
            raise PermanentError("Only this location's local posts can be deleted (reviews cannot).")
        try:
            self._call("DELETE", api.LOCAL_POST, {"post": remote_id}, idempotent=True)
        except PermanentError as exc:
            if exc.status != 404:  # already gone is what we wanted
                raise

    # Reading --------------------------------------------------------------------------------
    def fetch_mentions(self, *, cursor: str = "") -> Page:
        """Reviews created after ``cursor`` (an RFC 3339 time), oldest first.

        Google lists reviews newest-updated first; we page until a review last updated at or before the
        cursor (its creation is older still). An edited review keeps its id and is not read again."""
        since = mappers.parse_time(cursor) if cursor else None
        fresh: list[dict[str, Any]] = []
        token, pages = "", 0
        while True:
            params: dict[str, Any] = {"pageSize": api.REVIEWS_PAGE_SIZE, "orderBy": "updateTime desc"}
            if token:
                params["pageToken"] = token
            body = self._call("GET", api.REVIEWS, {"location": self.location}, params=params).json()
            pages += 1
            reached = False
            for review in body.get("reviews", []):
                updated = mappers.parse_time(review.get("updateTime") or review["createTime"])
                if since is not None and updated <= since:
                    reached = True
                    break
                if since is None or mappers.parse_time(review["createTime"]) > since:
                    fresh.append(review)
            token = body.get("nextPageToken") or ""
            if reached or not token:
                break
            if pages >= api.MAX_REVIEW_PAGES:
                # More than MAX_REVIEW_PAGES pages of new reviews (a first connect of a big location): the
                # newest are read, older ones are left out rather than read again and again.
                break
        items = sorted((mappers.review_item(r) for r in fresh), key=lambda item: item.created_at)
        next_cursor = cursor
        if items:
            next_cursor = max(item.created_at for item in items).isoformat().replace("+00:00", "Z")
        return Page(items=tuple(items), cursor=next_cursor, has_more=False)

    # Engaging -------------------------------------------------------------------------------
    def reply(self, *, parent_id: str, draft: PostDraft) -> PublishResult:
        """Answer the review ``parent_id`` (its resource name). Answering again replaces the reply."""
        if not parent_id.startswith(f"{self.location}/reviews/"):
            raise PermanentError("Only this location's reviews can be answered here.")
        problems = []
        if not draft.text.strip() and draft.media:  # without media the generic check already said so
            problems.append(ValidationProblem("text", "empty", "The reply is empty."))
        if len(draft.text) > api.MAX_REPLY:
            problems.append(
                ValidationProblem(
                    "text", "too_long", f"The reply is {len(draft.text)} characters; the limit is {api.MAX_REPLY}.",
                    api.MAX_REPLY,
                )
            )  # fmt: skip
        if draft.media:
            problems.append(ValidationProblem("media", "unsupported", "A review reply is text only."))
        if problems:
            raise ContentRejected(problems=problems)
        # PUT is idempotent by nature (the reply is replaced), so the client may retry it safely.
        answer = self._call(
            "PUT", api.REVIEW_REPLY, {"review": parent_id}, json={"comment": draft.text}, idempotent=True
        )
        return mappers.reply_result(parent_id, answer.json())

    def delete_reply(self, review_name: str) -> None:
        """Remove our reply to a review (the review itself stays)."""
        try:
            self._call("DELETE", api.REVIEW_REPLY, {"review": review_name}, idempotent=True)
        except PermanentError as exc:
            if exc.status != 404:
                raise
