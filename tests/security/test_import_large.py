"""Issue 9 item 12: the previewed file stays on the server between preview and confirm (the confirm sends
a token, not the file as base64), so files over ~1.9 MB confirm; the token is the previewer's alone."""

from __future__ import annotations

import io
import os
import stat
import time

import pytest
from django.urls import reverse

from kopiena.publishing import import_files
from kopiena.publishing.models import Post
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.publishing.conftest import _fake_connector, _import_uploads_in_tmp, make_account  # noqa: F401
from tests.publishing.test_import import OUR_COLUMNS, accounts, plan, relaxed  # noqa: F401

pytestmark = pytest.mark.django_db


def big_csv(accounts, rows: int = 40, size: int = 3 * 1024 * 1024) -> bytes:  # noqa: F811
    """A valid plan padded to ``size`` bytes with a column the importer ignores."""
    pad = "x" * (size // rows)
    lines = [",".join([*OUR_COLUMNS, "notes"])]
    for row in plan(rows, accounts):
        lines.append(",".join([*(row.get(c, "") for c in OUR_COLUMNS), pad]))
    return ("\n".join(lines) + "\n").encode()


def _preview(client, workspace, content: bytes, name: str = "plan.csv"):
    upload = io.BytesIO(content)
    upload.name = name
    page = client.post(reverse("calendar_import", kwargs={"ws": workspace.slug}), {"file": upload})
    assert page.status_code == 200
    text = page.content.decode()
    assert 'data-testid="import-ok"' in text, text[:2000]
    return text.split('name="upload" value="')[1].split('"')[0]


def _confirm(client, workspace, token: str):
    return client.post(
        reverse("calendar_import", kwargs={"ws": workspace.slug}), {"confirm": "1", "upload": token}
    )


def test_a_3_mb_file_previews_and_confirms(login, member, workspace, relaxed, accounts, settings):  # noqa: F811
    content = big_csv(accounts)
    assert len(content) > 3 * 1024 * 1024
    client = login(member(Role.MANAGER))
    token = _preview(client, workspace, content)
    assert len(token) >= 40 and content.decode()[:20] not in token
    folder = settings.VAR_DIR / "imports" / token
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    assert stat.S_IMODE(os.stat(folder / "content").st_mode) == 0o600
    assert Post.objects.count() == 0
    done = _confirm(client, workspace, token)
    assert done.status_code == 302 and Post.objects.count() == 40
    assert not folder.exists()  # used once
    assert _confirm(client, workspace, token).status_code == 404
    assert Post.objects.count() == 40


def test_someone_elses_token_is_404(login, member, workspace, other_workspace, relaxed, accounts):  # noqa: F811
    manager = member(Role.MANAGER)
    token = _preview(login(manager), workspace, big_csv(accounts, rows=3, size=1000))
    colleague = member(Role.MANAGER)  # same workspace, another person
    assert _confirm(login(colleague), workspace, token).status_code == 404
    stranger = other_workspace.memberships.get().user  # their own workspace's import page
    assert _confirm(login(stranger), other_workspace, token).status_code == 404
    for forged in ["", "../../etc/passwd", "x" * 43, token + "/../" + token]:
        assert _confirm(login(manager), workspace, forged).status_code == 404
    assert Post.objects.count() == 0
    assert _confirm(login(manager), workspace, token).status_code == 302  # still the previewer's
    assert Post.objects.count() == 3


def test_expired_uploads_are_refused_and_removed(login, member, workspace, relaxed, accounts, settings):  # noqa: F811
    manager = member(Role.MANAGER)
    client = login(manager)
    token = _preview(client, workspace, big_csv(accounts, rows=2, size=500))
    meta = settings.VAR_DIR / "imports" / token / "meta.json"
    old = time.time() - import_files.KEEP_SECONDS - 1
    meta.write_text(meta.read_text().replace('"stored_at": ', f'"stored_at": {old}, "was": '))
    assert _confirm(client, workspace, token).status_code == 404
    assert not meta.parent.exists()
    # and a new upload sweeps away old ones nobody came back for
    stale = _preview(client, workspace, big_csv(accounts, rows=2, size=500))
    stale_meta = settings.VAR_DIR / "imports" / stale / "meta.json"
    stale_meta.write_text(stale_meta.read_text().replace('"stored_at": ', f'"stored_at": {old}, "was": '))
    access = access_workspace(actor=manager, slug=workspace.slug)
    import_files.import_file_store(access=access, content=b"x", filename="a.csv")
    assert not stale_meta.parent.exists()
