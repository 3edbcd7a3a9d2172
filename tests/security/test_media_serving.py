"""Issue 9 item 5: uploads are checked by content (only images and videos platforms take, stored with the
sniffed type), and our own copies are served with Content-Disposition, nosniff and a sandboxing CSP, so a
file that a browser would render as HTML or run as a script can never do so in our origin."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kopiena.core.errors import DomainError
from kopiena.publishing import media_links
from kopiena.publishing.media_types import safe_filename, sniff
from kopiena.publishing.models import PostMedia
from kopiena.publishing.services import MediaInput, post_create
from tests.publishing.conftest import _fake_connector, make_account  # noqa: F401

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 40
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"kafija" * 20
GIF = b"GIF89a" + b"\x01\x00" * 20
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x00" * 40
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 40
MOV = b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00qt  " + b"\x00" * 40
WEBM = b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\xf7\x81\x01\x42\x82\x84webm" + b"\x00" * 40
HTML = b"<!doctype html><script src='evil.js'></script>"
JS = b"fetch('/w/').then(r => r.text()).then(alert)"
SVG = b"<svg xmlns='http://www.w3.org/2000/svg' onload='alert(1)'/>"


def test_sniffing():
    assert [sniff(x) for x in (PNG, JPEG, GIF, WEBP, MP4, MOV, WEBM)] == [
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "video/mp4",
        "video/quicktime",
        "video/webm",
    ]
    assert sniff(HTML) is None and sniff(JS) is None and sniff(SVG) is None and sniff(b"") is None
    assert safe_filename('a"b\r\nX-Evil: 1;.html', mime_type="image/png") == "a_b_X-Evil_1.png"


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.BASE_URL = "https://kopiena.example.lv"
    return tmp_path


def _create(access, account, name, content, claimed):
    upload = SimpleUploadedFile(name, content, content_type=claimed)
    return post_create(
        access=access,
        account_ids=[account.pk],
        content_type="photo",
        text="Bilde",
        media=[MediaInput(file=upload, mime_type=claimed, alt_text="Apraksts")],
    )


@pytest.mark.parametrize(
    ("name", "content", "claimed"),
    [("evil.html", HTML, "image/png"), ("evil.js", JS, "image/jpeg"), ("x.svg", SVG, "image/svg+xml")],
)
def test_non_media_uploads_are_refused(media_root, owner_access, make_account, name, content, claimed):  # noqa: F811
    with pytest.raises(DomainError) as refused:
        _create(owner_access, make_account("Konts"), name, content, claimed)
    assert refused.value.field == "media_file"
    assert PostMedia.objects.count() == 0


def test_the_composer_refuses_them_with_a_message(media_root, login, owner, workspace, make_account):  # noqa: F811
    account = make_account("Konts")
    page = login(owner).post(
        reverse("post_new", kwargs={"ws": workspace.slug}),
        {
            "accounts": [str(account.pk)],
            "content_type": "photo",
            "text": "Bilde",
            "media_file": SimpleUploadedFile("evil.html", HTML, content_type="image/png"),
            "media_alt": "Apraksts",
        },
    )
    assert page.status_code == 400
    assert "Only JPEG, PNG, GIF or WebP images" in page.content.decode()
    assert PostMedia.objects.count() == 0


def test_a_real_image_is_stored_with_its_sniffed_type_and_served_inline(
    media_root,
    client,
    owner_access,
    make_account,  # noqa: F811
):
    post = _create(owner_access, make_account("Konts"), "bilde.html", PNG, "text/html")
    media = post.media.get()
    assert media.mime_type == "image/png" and media.file.name.endswith("bilde.png")
    response = client.get(media_links.public_media_url(media).removeprefix("https://kopiena.example.lv"))
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="bilde.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize(("name", "content"), [("gadget.html", HTML), ("evil.js", JS), ("x.svg", SVG)])
def test_files_stored_before_the_check_are_only_downloads(
    media_root,
    client,
    owner_access,
    make_account,  # noqa: F811
    name,
    content,
):
    post = post_create(access=owner_access, account_ids=[make_account("Konts").pk], text="Vecs")
    media = PostMedia.objects.create(post=post, position=0, mime_type="text/html", alt_text="x")
    media.file.save(name, ContentFile(content))
    url = media_links.public_media_url(media).removeprefix("https://kopiena.example.lv")
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/octet-stream"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == "default-src 'none'; sandbox"
