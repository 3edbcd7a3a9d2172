"""The start of an OAuth connect as a browser sees it, for the Mastodon and Meta tests."""

from __future__ import annotations

from html import escape


def authorize_url_after_start(client, start_response) -> str:
    """The start form's POST must answer with a SAME-ORIGIN redirect: browsers apply the page's CSP
    ``form-action 'self'`` to every redirect after a form submission, so a redirect straight to the
    platform is blocked. The continue page then leaves for the platform by a ``Refresh`` header and a
    link (plain navigations). Returns the platform's consent URL."""
    assert start_response.status_code == 302, start_response.content.decode()[:3000]
    location = start_response["Location"]
    assert location.startswith("/") and not location.startswith("//"), location
    page = client.get(location)
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    refresh = page["Refresh"]
    assert refresh.startswith("0; url=")
    url = refresh.removeprefix("0; url=")
    assert f'href="{escape(url)}"' in page.content.decode()  # a link too, where refresh is switched off
    return url
