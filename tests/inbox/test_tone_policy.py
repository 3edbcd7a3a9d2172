"""Issue 12 item 6: the acute playbook's ``must_apologise`` and the tone section's ``formality`` are read
by the tone guard in the reply box (en/lv/ru), with messages in the reader's language."""

from __future__ import annotations

import pytest
from django.utils import translation

from kopiena.inbox.models import Item, Thread
from kopiena.inbox.services import items_ingest, reply_problems
from kopiena.nlp import check_tone
from kopiena.policy.schema import PolicyDocument
from kopiena.policy.selectors import policy_current
from kopiena.policy.services import policy_save
from tests.inbox.conftest import remote

pytestmark = pytest.mark.django_db


def _policy(owner_access, workspace, *, must_apologise=True, formality="neutral"):
    data = policy_current(workspace=workspace).model_dump(mode="json")
    data["engagement"]["acute_playbook"]["must_apologise"] = must_apologise
    data["engagement"]["tone"]["formality"] = formality
    policy_save(access=owner_access, document=PolicyDocument.model_validate(data))


@pytest.fixture
def item(account):
    items_ingest(account=account, remote_items=[remote("c1", "Jau nedēļu gaidu pasūtījumu!")])
    return Item.objects.select_related("thread", "account").get()


def _codes(access, item, text):
    return {p.code for p in reply_problems(access=access, item=item, text=text)}


@pytest.mark.parametrize(
    "text",
    [
        "We will check your order today and write back within 2 hours.",
        "Mēs pārbaudīsim pasūtījumu un sazināsimies šodien.",
        "Мы проверим ваш заказ и свяжемся с вами сегодня.",
    ],
)
def test_an_acute_answer_without_an_apology_is_flagged_only_when_the_playbook_asks(
    owner_access, workspace, item, text
):
    Thread.objects.update(acute=True)
    item.thread.refresh_from_db()
    _policy(owner_access, workspace, must_apologise=True)
    assert "tone.missing_apology" in _codes(owner_access, item, text)
    _policy(owner_access, workspace, must_apologise=False)
    assert "tone.missing_apology" not in _codes(owner_access, item, text)


@pytest.mark.parametrize(
    "text",
    [
        "Sorry, we will check it today.",
        "Atvainojamies, mēs pārbaudīsim šodien.",
        "Извините, мы проверим сегодня.",
    ],
)
def test_an_acute_answer_with_an_apology_passes(owner_access, workspace, item, text):
    Thread.objects.update(acute=True)
    item.thread.refresh_from_db()
    _policy(owner_access, workspace, must_apologise=True)
    assert "tone.missing_apology" not in _codes(owner_access, item, text)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Hey, the cafe opens on Monday.", "en"),
        ("Tev jāpagaida līdz pirmdienai.", "lv"),
        ("Ты можешь прийти в понедельник.", "ru"),
    ],
)
def test_a_formal_policy_flags_informal_address(text, language):
    assert "informal_address" in {i.reason for i in check_tone(text, language=language, formality="formal")}
    assert "informal_address" not in {i.reason for i in check_tone(text, language=language)}


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("Dear Sir or Madam, the cafe opens on Monday.", "en"),
        ("Godātais klient, kafejnīca atvērsies pirmdien.", "lv"),
        ("Уважаемый клиент, кафе откроется в понедельник.", "ru"),
    ],
)
def test_an_informal_policy_flags_stiff_address(text, language):
    assert "formal_address" in {i.reason for i in check_tone(text, language=language, formality="informal")}
    assert "formal_address" not in {i.reason for i in check_tone(text, language=language, formality="formal")}


def test_the_reply_box_flags_formality_in_the_readers_language(owner_access, workspace, item):
    _policy(owner_access, workspace, formality="formal")
    with translation.override("lv"):
        problems = reply_problems(access=owner_access, item=item, text="Čau, tev jāpagaida līdz pirmdienai.")
    flagged = [p for p in problems if p.code == "tone.informal_address"]
    assert flagged and flagged[0].message != "The policy asks for a formal tone: address the person formally."
    assert "tone.informal_address" not in _codes(owner_access, item, "Lūdzu, pagaidiet līdz pirmdienai.")
