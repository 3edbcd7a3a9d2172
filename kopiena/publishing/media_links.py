"""Signed, expiring public links to a post's uploaded media, for platforms that fetch media themselves
(Instagram: ``Connector.media_by_url``).

The link carries the media's id signed with the secret key and a timestamp (``TimestampSigner``), so it
cannot be guessed or altered, names one file only, and stops working after ``PUBLIC_MEDIA_LINK_SECONDS``
(default 24 h: long enough for a retried or reconciled publish, short enough not to leak a draft's media
for good). It only works when ``KOPIENA_BASE_URL`` is this server's public https:// address.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core import signing
from django.http import FileResponse, Http404, HttpRequest
from django.urls import reverse

from kopiena.publishing.media_types import serving_headers, sniff_file
from kopiena.publishing.models import PostMedia

_SALT = "kopiena.publishing.public-media"


def public_links_possible() -> bool:
    return settings.BASE_URL.startswith("https://")


def public_media_url(media: PostMedia) -> str:
    token = signing.TimestampSigner(salt=_SALT).sign(str(media.pk))
    filename = Path(media.file.name).name
    return settings.BASE_URL.rstrip("/") + reverse(
        "public_media", kwargs={"token": token, "filename": filename}
    )


def public_media(request: HttpRequest, token: str, filename: str) -> FileResponse:
    """Serve the file a valid, unexpired link names; 404 for anything else (no hint which part failed).

    Inline only for a real image or video (by content), else a download; ``nosniff`` and a sandboxing CSP
    always (``media_types.serving_headers``)."""
    max_age = settings.PUBLIC_MEDIA_LINK_SECONDS
    try:
        media_id = int(signing.TimestampSigner(salt=_SALT).unsign(token, max_age=max_age))
    except (signing.BadSignature, ValueError):
        raise Http404 from None
    media = PostMedia.objects.filter(pk=media_id).exclude(file="").first()
    if media is None or Path(media.file.name).name != filename:
        raise Http404
    handle = media.file.open("rb")
    # The type comes from the content again (rows stored before uploads were sniffed may claim anything).
    headers = serving_headers(sniffed=sniff_file(handle), filename=filename)
    response = FileResponse(handle, content_type=headers.pop("Content-Type"))
    for name, value in headers.items():
        response[name] = value
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Robots-Tag"] = "noindex"
    return response
