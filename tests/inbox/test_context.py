"""Issue 12 item 3: context in the thread (our post, the author's earlier conversations, what the
classifier saw, the acute playbook beside the reply box), internal notes with @mentions, tags, bulk tag."""

from __future__ import annotations

import pytest

from kopiena.audit.models import AuditEvent
from kopiena.inbox.models import Tag, Thread, ThreadNote
from kopiena.inbox.services import items_ingest
from kopiena.integrations.services import account_connect
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current
from kopiena.policy.services import policy_save
from kopiena.publishing.models import Delivery, Notification, Post, PostMedia, Variant
from kopiena.teams.models import Role
from kopiena.teams.selectors import access_workspace
from tests.inbox.conftest import BASE, remote

pytestmark = pytest.mark.django_db

HTML = '<b>bold</b><script>alert("n")</script>'


def _url(workspace, suffix=""):
    return f"/w/{workspace.slug}/inbox/{suffix}"


@pytest.fixture
def thread(account):
    items_ingest(
        account=account, remote_items=[remote("c1", "Kad atvērsiet jauno kafejnīcu?", author="anna")]
    )
    return Thread.objects.get(root_external_id="c1")


def test_the_post_the_comment_is_under_is_shown_with_its_media_and_link(
    login, owner, workspace, account, thread
):
    post = Post.objects.create(workspace=workspace, author=owner, text="Jaunā kafejnīca Tērbatas ielā")
    media = PostMedia.objects.create(
        post=post, url="https://cdn.example/cafe.jpg", alt_text="Kafejnīcas foto"
    )
    variant = Variant.objects.create(
        post=post, account=account, text="Jaunā kafejnīca Tērbatas ielā — nāciet!"
    )
    variant.media.add(media)
    Delivery.objects.create(
        workspace=workspace,
        post=post,
        variant=variant,
        account=account,
        due_at=BASE,
        next_attempt_at=BASE,
        remote_id="p1",  # the fixture's comments are under post "p1"
        remote_url="https://social.example/@kafija/p1",
    )
    html = login(owner).get(_url(workspace, f"{thread.pk}/")).content.decode()
    assert "Jaunā kafejnīca Tērbatas ielā — nāciet!" in html
    assert "Kafejnīcas foto" in html and "https://cdn.example/cafe.jpg" in html
    assert 'href="https://social.example/@kafija/p1"' in html


def test_a_post_made_elsewhere_says_so(login, owner, workspace, thread):
    html = login(owner).get(_url(workspace, f"{thread.pk}/")).content.decode()
    assert "A post published outside Kopiena." in html


def test_the_authors_earlier_conversations_are_listed_and_others_are_not(login, owner, workspace, account):
    items_ingest(
        account=account,
        remote_items=[
            remote("old1", "Vai jums ir bezglutēna maizītes?", author="anna", post="p0", minutes=-600),
            remote("x1", "Cits cilvēks raksta", author="bob", post="p0", minutes=-500),
            remote("new1", "Un kad atvērsiet?", author="anna", post="p2"),
        ],
    )
    new = Thread.objects.get(root_external_id="new1")
    html = login(owner).get(_url(workspace, f"{new.pk}/")).content.decode()
    section = html.split('data-testid="author-history"')[1].split("</ul>")[0]
    old = Thread.objects.get(root_external_id="old1")
    other = Thread.objects.get(root_external_id="x1")
    assert f"/inbox/{old.pk}/" in section and f"/inbox/{other.pk}/" not in section


def test_the_classification_shows_labelled_scores_not_internal_keys(login, owner, workspace, thread):
    html = login(owner).get(_url(workspace, f"{thread.pk}/")).content.decode()
    block = html.split('data-testid="classification"')[1].split("</details>")[0]
    assert "What the classifier saw" in block
    assert "Negative" in block and "%" in block
    assert ">toxic<" not in block and ">negative<" not in block


def test_the_playbooks_tone_and_guidance_are_beside_the_reply_box_of_an_acute_thread(
    login, owner, owner_access, workspace, account
):
    data = policy_current(workspace=workspace).model_dump(mode="json")
    data["engagement"]["acute_playbook"]["tone"] = {"en": "Calm and official", "lv": "Mierīgi un oficiāli"}
    data["engagement"]["acute_playbook"]["guidance"] = {"en": "Offer a refund; move the talk to messages."}
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))
    items_ingest(
        account=account,
        remote_items=[remote("a1", "You poisoned me, I will sue you and call the police! Refund now!")],
    )
    acute = Thread.objects.get(root_external_id="a1")
    calm = Thread.objects.exclude(pk=acute.pk).first()
    assert acute.acute
    html = login(owner).get(_url(workspace, f"{acute.pk}/")).content.decode()
    block = html.split('data-testid="playbook-guidance"')[1][:1000]
    assert "Calm and official" in block and "Offer a refund" in block
    if calm is not None:
        assert (
            'data-testid="playbook-guidance"'
            not in login(owner).get(_url(workspace, f"{calm.pk}/")).content.decode()
        )


def test_a_note_is_text_and_its_mentions_are_notified_once(
    login, owner, member, workspace, thread, django_capture_on_commit_callbacks
):
    moderator = member(Role.MODERATOR)
    client = login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url(workspace, f"{thread.pk}/notes/"),
            {
                "text": f"@{moderator.username} please check the opening date. {HTML} @nobody @{owner.username}"
            },
        )
    assert response.status_code == 302
    note = ThreadNote.objects.get()
    assert list(note.mentioned.all()) == [moderator]  # not the author, not strangers
    told = Notification.objects.filter(kind="note_mention")
    assert [n.recipient for n in told] == [moderator]
    assert AuditEvent.objects.filter(action="inbox.thread_note_add").count() == 1
    html = client.get(_url(workspace, f"{thread.pk}/")).content.decode()
    assert HTML not in html and "&lt;b&gt;bold&lt;/b&gt;&lt;script&gt;" in html


def test_an_empty_note_is_refused_and_another_workspaces_thread_is_404(
    login, owner, workspace, other_workspace, thread
):
    client = login(owner)
    client.post(_url(workspace, f"{thread.pk}/notes/"), {"text": "   "})
    assert not ThreadNote.objects.exists()
    stranger = login(other_workspace.memberships.get().user)
    response = stranger.post(f"/w/{other_workspace.slug}/inbox/{thread.pk}/notes/", {"text": "hi"})
    assert response.status_code == 404 and not ThreadNote.objects.exists()


def test_tags_are_added_removed_and_filter_the_list(login, owner, workspace, account, thread):
    items_ingest(account=account, remote_items=[remote("c2", "Cik maksā kafija?", author="zz")])
    other = Thread.objects.get(root_external_id="c2")
    client = login(owner)
    client.post(_url(workspace, f"{thread.pk}/tags/"), {"tag": "  Jaunā  kafejnīca "})
    client.post(_url(workspace, f"{thread.pk}/tags/"), {"tag": "jaunā kafejnīca"})  # same tag, any case
    tag = Tag.objects.get()
    assert tag.name == "Jaunā kafejnīca" and list(thread.tags.all()) == [tag]
    listing = client.get(_url(workspace), {"tag": tag.pk}).content.decode()
    assert f"/inbox/{thread.pk}/" in listing and f"/inbox/{other.pk}/" not in listing
    client.post(_url(workspace, f"{thread.pk}/tags/"), {"tag": "Jaunā kafejnīca", "remove": "1"})
    assert not thread.tags.exists()
    assert client.post(_url(workspace, f"{thread.pk}/tags/"), {"tag": "x" * 41}).status_code == 302
    assert Tag.objects.count() == 1  # too long: refused


def test_readers_cannot_tag(login, member, workspace, thread):
    client = login(member(Role.ANALYST))
    assert client.post(_url(workspace, f"{thread.pk}/tags/"), {"tag": "x"}).status_code == 403
    assert not Tag.objects.exists()


def test_bulk_tag_and_untag_and_another_workspaces_thread_changes_nothing(
    login, owner, workspace, other_workspace, account, thread
):
    items_ingest(account=account, remote_items=[remote("c2", "Cik maksā kafija?", author="zz")])
    mine = list(Thread.objects.filter(workspace=workspace).values_list("pk", flat=True))
    stranger = access_workspace(actor=other_workspace.memberships.get().user, slug=other_workspace.slug)
    foreign = account_connect(
        access=stranger,
        platform="mastodon",
        name="Other",
        credentials={"access_token": "tok-other"},
        base_url="https://other.example",
        external_id="7",
    )
    items_ingest(account=foreign, remote_items=[remote("z1", "Sveiki!")])
    theirs = Thread.objects.get(workspace=other_workspace)
    client = login(owner)
    url = _url(workspace, "bulk/")
    response = client.post(url, {"thread": [*mine, theirs.pk], "action": "tag", "tag": "cenas"})
    assert response.status_code == 404
    assert not Tag.objects.exists() and not Thread.tags.through.objects.exists()
    client.post(url, {"thread": mine, "action": "tag", "tag": "cenas"})
    assert Thread.objects.filter(tags__name="cenas").count() == 2
    client.post(url, {"thread": mine[:1], "action": "untag", "tag": "cenas"})
    assert list(Thread.objects.filter(tags__name="cenas").values_list("pk", flat=True)) == mine[1:]
    client.post(url, {"thread": mine, "action": "tag", "tag": ""})  # a tag needs a name: nothing changes
    assert Thread.objects.filter(tags__name="cenas").count() == 1
