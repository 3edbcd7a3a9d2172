"""Instagram fetches media itself: uploaded files go out as signed, expiring links to our own copy."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from kopiena.publishing import platform
from kopiena.publishing.services import MediaInput, post_create

JPEG = b"\xff\xd8\xff\xe0" + b"kafija" * 50


@pytest.fixture
def media_post(manager_access, make_account, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path

    def make(platform_key: str):
        account = make_account(
            f"{platform_key} konts", platform=platform_key, base_url="https://graph.example"
        )
        upload = SimpleUploadedFile("latte art.jpg", JPEG, content_type="image/jpeg")
        post = post_create(
            access=manager_access,
            account_ids=[account.pk],
            content_type="photo",
            text="Rīta latte",
            media=[MediaInput(file=upload, mime_type="image/jpeg", alt_text="Latte ar sirsniņu")],
        )
        return post.variants.get()

    return make


def _path(url: str) -> str:
    return url.removeprefix("https://kopiena.example.lv")


def test_instagram_gets_a_signed_link_that_serves_the_file(media_post, client, settings):
    settings.BASE_URL = "https://kopiena.example.lv"
    variant = media_post("instagram")
    [item] = platform.draft_for(variant).media
    assert isinstance(item.source, str) and item.source.startswith("https://kopiena.example.lv/public-media/")
    assert item.source.endswith("/latte_art.jpg")  # the stored name, so Meta sees the extension
    assert not [
        p for p in platform.validate_variant(variant) if p["code"] in ("needs_url", "needs_public_address")
    ]

    response = client.get(_path(item.source))  # anonymous, as Meta's fetcher is
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content) == JPEG

    token_path = _path(item.source)
    tampered = token_path.replace("/public-media/", "/public-media/9")
    assert client.get(tampered).status_code == 404
    assert client.get(token_path.rsplit("/", 1)[0] + "/other.jpg").status_code == 404
    settings.PUBLIC_MEDIA_LINK_SECONDS = -1  # every link is older than that: expired
    assert client.get(token_path).status_code == 404


def test_without_a_public_address_the_composer_says_what_to_set(media_post, settings):
    settings.BASE_URL = "http://127.0.0.1:8000"
    variant = media_post("instagram")
    codes = {p["code"]: p["message"] for p in platform.validate_variant(variant)}
    assert "KOPIENA_BASE_URL" in codes["needs_public_address"]
    assert not isinstance(platform.draft_for(variant).media[0].source, str)


def test_platforms_that_take_uploads_still_get_the_file(media_post, settings):
    settings.BASE_URL = "https://kopiena.example.lv"
    [item] = platform.draft_for(media_post("mastodon")).media
    assert not isinstance(item.source, str) and item.source.read_bytes() == JPEG
