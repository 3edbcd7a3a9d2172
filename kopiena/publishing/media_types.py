"""What an uploaded file really is, read from its first bytes (never the client's MIME type or its name).

Only images and videos that platforms take are accepted; anything else (HTML, JavaScript, SVG, PDF…) is
refused, and the type stored is the sniffed one. Serving follows the same rule (``serving_headers``): a
file whose content is not one of these types is only ever offered as a download.
"""

from __future__ import annotations

import re

SNIFF_BYTES = 64

# MIME type → the extension the stored file gets.
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "image/webp": ".webp",
    "video/mp4": ".mp4",
    "video/quicktime": ".mov",
    "video/webm": ".webm",
}
ACCEPTED = frozenset(EXTENSIONS)

# ISO base media "ftyp" brands of MP4 video (https://mp4ra.org/registered-types/brands).
_MP4_BRANDS = {
    b"isom",
    b"iso2",
    b"iso4",
    b"iso5",
    b"iso6",
    b"mp41",
    b"mp42",
    b"avc1",
    b"M4V ",
    b"dash",
    b"mmp4",
}
# Old QuickTime files start with one of these atoms instead of "ftyp".
_QUICKTIME_ATOMS = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}


def sniff(head: bytes) -> str | None:
    """The media type of a file starting with ``head`` (its first ``SNIFF_BYTES``), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image/png"
    if head.startswith((b"GIF87a", b"GIF89a")):
        return "image/gif"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand == b"qt  ":
            return "video/quicktime"
        if brand in _MP4_BRANDS:
            return "video/mp4"
        return None
    if head[4:8] in _QUICKTIME_ATOMS:
        return "video/quicktime"
    if head.startswith(b"\x1a\x45\xdf\xa3") and b"webm" in head:
        return "video/webm"
    return None


def sniff_file(file) -> str | None:
    """``sniff`` for an open (uploaded or stored) file; its position is left at the start."""
    file.seek(0)
    head = file.read(SNIFF_BYTES)
    file.seek(0)
    return sniff(head)


def safe_filename(name: str, *, mime_type: str | None = None) -> str:
    """``name`` reduced to ASCII letters, digits, ``._-`` (a header cannot be broken out of), with the
    extension of ``mime_type`` when given."""
    stem, dot, ext = name.rpartition(".")
    if not dot:
        stem, ext = name, ""
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("._")[:80] or "media"
    if mime_type in EXTENSIONS:
        return stem + EXTENSIONS[mime_type]
    ext = re.sub(r"[^A-Za-z0-9]+", "", ext)[:10]
    return f"{stem}.{ext}" if ext else stem


def serving_headers(*, sniffed: str | None, filename: str) -> dict[str, str]:
    """Headers for serving a stored upload from our origin.

    A real image or video is shown inline with its sniffed type; anything else is an
    ``application/octet-stream`` download. Always ``nosniff`` and a CSP that runs nothing and sandboxes the
    document, so even a file a browser would render cannot script our origin."""
    inline = sniffed in ACCEPTED
    name = safe_filename(filename, mime_type=sniffed if inline else None)
    return {
        "Content-Type": sniffed if inline else "application/octet-stream",
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
