"""People correct the classifier (issue 12 item 4): writes (``item_correct``) and the workspace's layer on
top of ``kopiena.nlp`` (``classify_for_workspace``).

A moderator, manager or owner (``inbox.moderate``) corrects an item's language, sentiment, intents, spam
and toxic flags. The correction is audited, kept as an ``ItemCorrection`` (the workspace's own labelled
example), and the thread is re-routed by the policy when the corrected labels route elsewhere.

The examples are used: a new text whose character n-gram TF-IDF cosine to a corrected text is at least
``SIMILARITY_THRESHOLD`` takes that example's corrected labels (nearest neighbour, newest correction of a
text wins). Char n-grams (3–5, inside word boundaries) carry across the inflections of lv and ru and
across order numbers and names; the threshold keeps unrelated comments on the base classifier. The
measured gain is in tests/inbox/test_corrections_gain.py.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import Count, Max
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from kopiena.audit.services import audit_record
from kopiena.core.errors import DomainError
from kopiena.inbox.models import Item, ItemCorrection, Sentiment, Thread
from kopiena.nlp import Classification
from kopiena.policy import evaluators
from kopiena.policy.selectors import policy_current
from kopiena.teams.models import Membership
from kopiena.teams.permissions import Perm
from kopiena.teams.selectors import Access

INTENTS = ("question", "request", "suggestion", "complaint", "praise")
LANGUAGES = ("en", "lv", "ru")
SIMILARITY_THRESHOLD = 0.55
EXAMPLES_MAX = 5_000  # the newest; a workspace's corrections, not a training set
CORRECTABLE = ("language", "sentiment", "intents", "spam", "toxic")


def item_labels(item: Item) -> dict:
    return {
        "language": item.language,
        "sentiment": item.sentiment,
        "intents": sorted(item.intents or []),
        "spam": bool(item.spam),
        "toxic": bool(item.toxic),
    }


def _bool(value, field: str) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise DomainError(_("“%(value)s” is not yes or no.") % {"value": str(value)[:40]}, field=field)


def clean_labels(*, workspace, current: dict, changes: Mapping) -> dict:
    """``current`` with ``changes`` applied, every value checked: an unknown field or label is a
    DomainError naming it (nothing is changed)."""
    unknown = set(changes) - set(CORRECTABLE)
    if unknown:
        raise DomainError(
            _("These cannot be corrected: %(fields)s.")
            % {"fields": ", ".join(sorted(map(str, unknown)))[:200]},
            field="labels",
        )
    labels = dict(current)
    if "language" in changes:
        language = str(changes["language"]).strip().lower()
        allowed = set(workspace.languages or LANGUAGES) | set(LANGUAGES)
        if language not in allowed:
            raise DomainError(
                _("“%(value)s” is not a language of this workspace.") % {"value": language[:40]},
                field="language",
            )
        labels["language"] = language
    if "sentiment" in changes:
        sentiment = str(changes["sentiment"]).strip().lower()
        if sentiment not in Sentiment.values:
            raise DomainError(
                _("“%(value)s” is not a sentiment.") % {"value": sentiment[:40]}, field="sentiment"
            )
        labels["sentiment"] = sentiment
    if "intents" in changes:
        raw = changes["intents"]
        values = [raw] if isinstance(raw, str) else list(raw or [])
        intents = sorted({str(v).strip().lower() for v in values if str(v).strip()})
        bad = [v for v in intents if v not in INTENTS]
        if bad:
            raise DomainError(
                _("“%(value)s” is not an intent.") % {"value": ", ".join(bad)[:80]}, field="intents"
            )
        labels["intents"] = intents
    for flag in ("spam", "toxic"):
        if flag in changes:
            labels[flag] = _bool(changes[flag], flag)
    return labels


@transaction.atomic
def item_correct(*, access: Access, item: Item, changes: Mapping) -> ItemCorrection | None:
    """Correct ``item``'s labels. Returns the stored example, or None when nothing differs. The thread
    takes the corrected labels (its latest mood and language, its intents, spam) and is routed again by
    the policy; a different rule moves it to that rule's role or person. Audited with before and after."""
    access.require(Perm.INBOX_MODERATE)
    if item.workspace_id != access.workspace.pk:
        raise DomainError(gettext_noop("No such conversation."))
    before = item_labels(item)
    labels = clean_labels(workspace=access.workspace, current=before, changes=changes)
    if labels == before:
        return None
    item.language, item.sentiment = labels["language"], labels["sentiment"]
    item.intents, item.spam, item.toxic = labels["intents"], labels["spam"], labels["toxic"]
    item.save(update_fields=["language", "sentiment", "intents", "spam", "toxic", "updated_at"])
    correction = ItemCorrection.objects.create(
        workspace=access.workspace,
        item=item,
        corrected_by=access.user,
        text=item.text[:2000],
        before=before,
        labels=labels,
    )
    thread = Thread.objects.select_for_update().get(pk=item.thread_id)
    routed_before = (thread.assigned_role, thread.assignee_id, thread.route_rule, thread.priority)
    _thread_relabel(thread)
    _thread_reroute(access, thread, item)
    routed_after = (thread.assigned_role, thread.assignee_id, thread.route_rule, thread.priority)
    thread.save()
    _forget(access.workspace.pk)
    audit_record(
        actor=access.user,
        workspace=access.workspace,
        action="inbox.item_correct",
        obj=item,
        before=before,
        after={
            **labels,
            "thread": thread.pk,
            "rerouted": routed_before != routed_after,
            "route_rule": thread.route_rule,
        },
    )
    return correction


def _thread_relabel(thread: Thread) -> None:
    """The thread's summary labels from its items (as ingest folds them): the latest item's mood and
    language, every intent any item has."""
    items = list(thread.items.order_by("remote_created_at", "pk"))
    if not items:
        return
    latest = items[-1]
    thread.sentiment, thread.language = latest.sentiment, latest.language
    keys = sorted({i for item in items for i in (item.intents or []) if i and "," not in i})
    thread.intent_keys = f",{','.join(keys)}," if keys else ""


def _thread_reroute(access: Access, thread: Thread, item: Item) -> None:
    """Route again on the corrected item; when the rule differs, the thread goes to the new rule's role or
    person (and to the queue, if it was with someone the new rule does not name)."""
    policy = policy_current(workspace=access.workspace)
    data = {
        "intent": list(item.intents),
        "sentiment": item.sentiment,
        "language": item.language,
        "acute": item.acute,
        "spam": item.spam,
        "toxic": item.toxic,
    }
    decision = evaluators.route(policy, data, evaluators.account_key_for(item.account))
    if decision.rule_name == thread.route_rule:
        return
    person = None
    if decision.person:
        membership = (
            Membership.objects.select_related("user")
            .filter(workspace=access.workspace, user__username=decision.person)
            .first()
        )
        person = membership.user if membership else None
    thread.route_rule = decision.rule_name
    thread.assigned_role = decision.role or ""
    thread.assignee = person
    thread.priority = decision.priority


# ------------------------------------------------------------------ the workspace's layer


@dataclass(frozen=True)
class _Examples:
    key: tuple
    vectorizer: object
    matrix: object
    labels: list[dict]


_cache: dict[int, _Examples] = {}
_lock = threading.Lock()


def _forget(workspace_id: int) -> None:
    with _lock:
        _cache.pop(workspace_id, None)


def _examples(workspace_id: int) -> _Examples | None:
    summary = ItemCorrection.objects.filter(workspace_id=workspace_id).aggregate(
        latest=Max("pk"), count=Count("pk"), at=Max("created_at")
    )
    if summary["latest"] is None:
        return None
    # The time too: ids are reused after a rollback (tests), and a stale cache would apply old examples.
    key = (summary["latest"], summary["count"], summary["at"])
    cached = _cache.get(workspace_id)
    if cached is not None and cached.key == key:
        return cached
    rows = list(
        ItemCorrection.objects.filter(workspace_id=workspace_id)
        .order_by("-pk")
        .values_list("text", "labels")[:EXAMPLES_MAX]
    )
    seen: set[str] = set()
    texts, labels = [], []
    for text, label in rows:  # newest first: a text corrected twice keeps its latest labels
        normal = " ".join(text.lower().split())
        if normal and normal not in seen:
            seen.add(normal)
            texts.append(normal)
            labels.append(label)
    if not texts:
        return None
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform(texts)
    examples = _Examples(key, vectorizer, matrix, labels)
    with _lock:
        _cache[workspace_id] = examples
    return examples


def apply_examples(
    examples_texts: Sequence[str],
    examples_labels: Sequence[dict],
    texts: Sequence[str],
    classes: Sequence[Classification],
    *,
    threshold: float = SIMILARITY_THRESHOLD,
) -> list[Classification]:
    """Pure form of the layer (tests and the bench use it): each text takes the labels of its nearest
    example when the cosine is at least ``threshold``."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    normal = [" ".join(t.lower().split()) for t in examples_texts]
    vectorizer = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), sublinear_tf=True)
    matrix = vectorizer.fit_transform(normal)
    return _apply(_Examples((), vectorizer, matrix, list(examples_labels)), texts, classes, threshold)


def _apply(examples: _Examples, texts, classes, threshold: float) -> list[Classification]:
    query = examples.vectorizer.transform([" ".join(t.lower().split()) for t in texts])
    similarity = (query @ examples.matrix.T).tocsr()  # rows are L2-normalised: this is the cosine
    out = list(classes)
    for i in range(len(out)):
        row = similarity.getrow(i)
        if not row.nnz:
            continue
        best = row.indices[row.data.argmax()]
        score = float(row.data.max())
        if score < threshold:
            continue
        label = examples.labels[best]
        c = out[i]
        scores = dict(c.scores)
        scores["workspace_example"] = round(score, 4)
        out[i] = replace(
            c,
            language=label.get("language") or c.language,
            sentiment=label.get("sentiment") or c.sentiment,
            intents=tuple(label.get("intents", c.intents)),
            spam=bool(label.get("spam", c.spam)),
            toxic=bool(label.get("toxic", c.toxic)),
            scores=scores,
        )
    return out


def classify_for_workspace(
    *, workspace_id: int, texts: Sequence[str], classes: Sequence[Classification]
) -> list[Classification]:
    """``classes`` (from ``nlp.classify_batch``) with the workspace's corrections taken into account; a
    workspace without corrections costs one indexed query."""
    examples = _examples(workspace_id)
    if examples is None or not texts:
        return list(classes)
    return _apply(examples, texts, classes, SIMILARITY_THRESHOLD)
