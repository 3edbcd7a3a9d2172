"""``kopiena nlp train``: fit the shipped model and the TF-IDF + LR baseline on the same splits.

Reproducible: fixed seed, deterministic splits (``datasets.py``), deterministic solvers. Steps:
1. one hashed feature space (``features.py``) with IDF from all training texts;
2. per head, L2 logistic regression (liblinear, one-vs-rest for sentiment, balanced class weights)
   with C chosen on the dev split; yes/no heads get decision thresholds tuned on dev (toxicity per
   language);
3. the baseline — word + char TF-IDF (fitted vocabulary) + default logistic regression, per head — is
   scored on the same dev splits;
4. the whole product pipeline (language id, lexicon rules, thresholds, i.e. what ``kopiena classify``
   prints) is scored on dev with the train-only model;
5. unless ``--no-refit``, each head is refitted on train + dev with the chosen settings and saved.
Dev figures go to ``data/scores.json`` beside the model; ``docs/model-card.md`` quotes them.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import accuracy_score, f1_score, recall_score
from sklearn.pipeline import make_union

from .datasets import SEED, TaskData, load_tasks
from .features import FeatureSpec, Featurizer
from .model import DATA_DIR, Head, Model

SENTIMENT_HEADS = ("sentiment_en", "sentiment_lv", "sentiment_ru")
BINARY_HEADS = ("toxic", "spam", "complaint", "question", "request", "suggestion")
C_GRID = (2.0, 8.0)
CLASSES = {
    **{head: ("negative", "neutral", "positive") for head in SENTIMENT_HEADS},
    **{head: ("no", "yes") for head in BINARY_HEADS},
}
THRESHOLD_GRID = tuple(round(x, 2) for x in np.arange(0.2, 0.81, 0.05))


def _log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def _fit_binary(X, y: np.ndarray, C: float) -> tuple[np.ndarray, float]:
    # The dual solver is several times faster here (far more features than texts), same solution.
    model = LogisticRegression(C=C, solver="liblinear", dual=True, class_weight="balanced", random_state=SEED)
    model.fit(X, y)
    return model.coef_[0].astype(np.float32), float(model.intercept_[0])


def _fit_head(X, labels: list[str], classes: tuple[str, ...], C: float) -> tuple[np.ndarray, np.ndarray]:
    """Columns (n_features × k) and biases: one-vs-rest for several classes, one column for yes/no."""
    y = np.asarray(labels)
    targets = classes if len(classes) > 2 else ("yes",)
    columns, biases = [], []
    for cls in targets:
        coef, bias = _fit_binary(X, (y == cls).astype(int), C)
        columns.append(coef)
        biases.append(bias)
    return np.stack(columns, axis=1), np.asarray(biases, dtype=np.float32)


def _probabilities(logits: np.ndarray, multiclass: bool) -> np.ndarray:
    probs = 1.0 / (1.0 + np.exp(-logits))
    return probs / probs.sum(axis=1, keepdims=True) if multiclass else probs[:, 0]


def _metrics(truth: list[str], predicted: list[str], positive: str | None = None) -> dict[str, float]:
    result = {
        "macro_f1": f1_score(truth, predicted, average="macro"),
        "macro_recall": recall_score(truth, predicted, average="macro"),
        "accuracy": accuracy_score(truth, predicted),
        "n": len(truth),
    }
    if positive is not None:
        result["f1"] = f1_score(truth, predicted, pos_label=positive, average="binary")
    return {k: (round(float(v), 4) if k != "n" else int(v)) for k, v in result.items()}


def _tune_threshold(scores: np.ndarray, truth: np.ndarray) -> float:
    best = max(THRESHOLD_GRID, key=lambda t: (f1_score(truth, scores >= t, average="macro"), -abs(t - 0.5)))
    return float(best)


def _baseline(task: TaskData) -> list[str]:
    vectorizer = make_union(
        TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), sublinear_tf=True, min_df=2),
        TfidfVectorizer(analyzer="word", ngram_range=(1, 2), sublinear_tf=True, min_df=2),
    )
    X = vectorizer.fit_transform(task.train.texts)
    model = LogisticRegression(max_iter=2000, random_state=SEED).fit(X, task.train.labels)
    return list(model.predict(vectorizer.transform(task.dev.texts)))


def train(data_root: Path, *, out_dir: Path = DATA_DIR, refit: bool = True, n_bits: int = 19) -> dict:
    started = time.perf_counter()
    tasks = load_tasks(data_root)
    classes = CLASSES
    heads = (*SENTIMENT_HEADS, *BINARY_HEADS)

    spec = FeatureSpec(n_features=2**n_bits)
    featurizer = Featurizer(spec)
    all_train = sorted({text for head in heads for text in tasks[head].train.texts})
    featurizer.fit_idf(all_train)
    _log(f"IDF over {len(all_train)} training texts")

    chosen: dict[str, dict] = {}
    dev_scores: dict[str, dict] = {"model": {}, "baseline": {}}
    fitted: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    for head in heads:
        task = tasks[head]
        X, X_dev = featurizer.transform(task.train.texts), featurizer.transform(task.dev.texts)
        multiclass = len(classes[head]) > 2
        best = None
        for C in C_GRID:
            W, b = _fit_head(X, task.train.labels, classes[head], C)
            probs = _probabilities(np.asarray(X_dev @ W) + b, multiclass)
            if multiclass:
                predicted = [classes[head][k] for k in probs.argmax(axis=1)]
                score = f1_score(task.dev.labels, predicted, average="macro")
            else:
                truth = np.asarray(task.dev.labels) == "yes"
                score = max(f1_score(truth, probs >= t, average="macro") for t in THRESHOLD_GRID)
            _log(f"{head} C={C}: dev macro-F1 {score:.4f}")
            if best is None or score > best[0]:
                best = (score, C, W, b, probs)
        _, C, W, b, probs = best
        fitted[head] = (W, b)
        config: dict = {"C": C}
        if not multiclass:
            truth = np.asarray(task.dev.labels) == "yes"
            config["threshold"] = _tune_threshold(probs, truth)
            if head == "toxic":
                langs = np.asarray(task.dev.langs)
                config["thresholds_by_language"] = {
                    lang: _tune_threshold(probs[langs == lang], truth[langs == lang]) for lang in ("en", "ru")
                }
        chosen[head] = config

        baseline_predicted = _baseline(task)
        for group, rows in _dev_groups(task, head).items():
            key = head if group == "all" else f"{head}:{group}"
            truth_labels = [task.dev.labels[i] for i in rows]
            positive = None if multiclass else "yes"
            if multiclass:
                ours = [classes[head][k] for k in probs[rows].argmax(axis=1)]
            else:
                langs = [task.dev.langs[i] for i in rows]
                ours = [
                    "yes"
                    if probs[i] >= config.get("thresholds_by_language", {}).get(lang, config["threshold"])
                    else "no"
                    for i, lang in zip(rows, langs, strict=True)
                ]
            dev_scores["model"][key] = _metrics(truth_labels, ours, positive)
            dev_scores["baseline"][key] = _metrics(
                truth_labels, [baseline_predicted[i] for i in rows], positive
            )
            _log(f"{key}: model {dev_scores['model'][key]} baseline {dev_scores['baseline'][key]}")

    model = _assemble(spec, featurizer.idf, fitted, classes, chosen, meta={})
    dev_scores["pipeline"] = pipeline_scores(model, tasks)
    _log(f"pipeline (what `kopiena classify` prints) on dev: {dev_scores['pipeline']}")

    if refit:
        for head in heads:
            task = tasks[head]
            texts = task.train.texts + task.dev.texts
            fitted[head] = _fit_head(
                featurizer.transform(texts),
                task.train.labels + task.dev.labels,
                classes[head],
                chosen[head]["C"],
            )
            _log(f"refitted {head} on train + dev ({len(texts)} texts)")
    meta = {
        "seed": SEED,
        "trained_on": "train + dev" if refit else "train",
        "train_seconds": round(time.perf_counter() - started, 1),
        "chosen": chosen,
    }
    model = _assemble(spec, featurizer.idf, fitted, classes, chosen, meta=meta)
    model.save(out_dir / "model.npz", out_dir / "model.json")
    report = {"meta": meta, "dev": dev_scores}
    (out_dir / "scores.json").write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    _log(f"saved model to {out_dir} in {meta['train_seconds']} s")
    return report


def _dev_groups(task: TaskData, head: str) -> dict[str, list[int]]:
    if head != "toxic":
        return {"all": list(range(len(task.dev)))}
    groups: dict[str, list[int]] = {}
    for i, source in enumerate(task.dev.sources):
        groups.setdefault(source, []).append(i)
    return groups


def _assemble(
    spec: FeatureSpec, idf: np.ndarray, fitted: dict, classes: dict, chosen: dict, meta: dict
) -> Model:
    columns, biases, heads = [], [], {}
    start = 0
    for head, (W, b) in fitted.items():
        multiclass = len(classes[head]) > 2
        heads[head] = Head(
            name=head,
            kind="ovr" if multiclass else "sigmoid",
            start=start,
            labels=classes[head] if multiclass else ("yes",),
            threshold=float(chosen[head].get("threshold", 0.5)),
            thresholds_by_language=dict(chosen[head].get("thresholds_by_language", {})),
        )
        columns.append(W)
        biases.append(b)
        start += W.shape[1]
    weights = np.concatenate(columns, axis=1).astype(np.float16).astype(np.float32)
    return Model(spec=spec, idf=idf, weights=weights, bias=np.concatenate(biases), heads=heads, meta=meta)


def pipeline_scores(model: Model, tasks: dict[str, TaskData]) -> dict[str, dict]:
    from .classify import classify_with

    def has(intent: str) -> Callable:
        return lambda c: "yes" if intent in c.intents else "no"

    # What each dev split's label corresponds to in the printed record.
    readers: dict[str, Callable] = {
        **{head: (lambda c: c.sentiment) for head in SENTIMENT_HEADS},
        "toxic": lambda c: "yes" if c.toxic else "no",
        "spam": lambda c: "yes" if c.spam else "no",
        **{intent: has(intent) for intent in ("complaint", "question", "request", "suggestion")},
    }
    scores = {}
    for head, read in readers.items():
        task = tasks[head]
        predicted = [read(r) for r in classify_with(model, task.dev.texts)]
        positive = None if head in SENTIMENT_HEADS else "yes"
        for group, rows in _dev_groups(task, head).items():
            key = head if group == "all" else f"{head}:{group}"
            scores[key] = _metrics([task.dev.labels[i] for i in rows], [predicted[i] for i in rows], positive)
    scores["language_id_accuracy"] = _language_accuracy(tasks)
    return scores


def _language_accuracy(tasks: dict[str, TaskData]) -> dict[str, float]:
    from .language import detect_languages

    result = {}
    for head, lang in (("sentiment_en", "en"), ("sentiment_lv", "lv"), ("sentiment_ru", "ru")):
        detected = detect_languages(tasks[head].dev.texts)
        result[lang] = round(sum(d == lang for d in detected) / len(detected), 4)
        result[f"{lang}_unknown"] = round(sum(d == "unknown" for d in detected) / len(detected), 4)
    return result
