"""The shipped linear model: one hashed feature space, many heads, one sparse × dense product.

Files (written by ``kopiena nlp train``, read here; no pickle):
- ``data/model.npz``: ``weights`` (n_features × n_columns, float16), ``bias`` (n_columns, float32),
  ``idf`` (n_features, float32);
- ``data/model.json``: the feature spec and, per head, its columns, labels, kind (``ovr`` over
  several labels, or ``sigmoid`` for a yes/no head) and decision thresholds tuned on the dev splits.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .features import FeatureSpec, Featurizer

DATA_DIR = Path(__file__).resolve().parent / "data"
MODEL_NPZ = DATA_DIR / "model.npz"
MODEL_JSON = DATA_DIR / "model.json"


@dataclass(frozen=True)
class Head:
    name: str
    kind: str  # "ovr" (one-vs-rest over labels) or "sigmoid" (yes/no)
    start: int
    labels: tuple[str, ...]
    threshold: float
    thresholds_by_language: dict

    @property
    def stop(self) -> int:
        return self.start + (len(self.labels) if self.kind == "ovr" else 1)

    def threshold_for(self, language: str) -> float:
        return float(self.thresholds_by_language.get(language, self.threshold))


class Model:
    def __init__(
        self,
        *,
        spec: FeatureSpec,
        idf: np.ndarray,
        weights: np.ndarray,
        bias: np.ndarray,
        heads: dict[str, Head],
        meta: dict,
    ) -> None:
        self.featurizer = Featurizer(spec, idf)
        self.weights = weights
        self.bias = bias
        self.heads = heads
        self.meta = meta

    def head_scores(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Per head: an (n, labels) probability matrix for ovr heads, an (n,) vector for sigmoid heads."""
        if not texts:
            return {
                name: np.zeros((0, len(h.labels)) if h.kind == "ovr" else 0) for name, h in self.heads.items()
            }
        logits = np.asarray(self.featurizer.transform(texts) @ self.weights) + self.bias
        scores = {}
        for name, head in self.heads.items():
            block = logits[:, head.start : head.stop]
            probabilities = 1.0 / (1.0 + np.exp(-block))
            if head.kind == "ovr":
                # One-vs-rest heads: normalise the per-class probabilities so they sum to one.
                scores[name] = probabilities / probabilities.sum(axis=1, keepdims=True)
            else:
                scores[name] = probabilities[:, 0]
        return scores

    def save(self, npz_path: Path = MODEL_NPZ, json_path: Path = MODEL_JSON) -> None:
        npz_path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(
            npz_path,
            weights=self.weights.astype(np.float16),
            bias=self.bias.astype(np.float32),
            idf=self.featurizer.idf.astype(np.float32),
        )
        heads = {
            name: {
                "kind": h.kind,
                "start": h.start,
                "labels": list(h.labels),
                "threshold": h.threshold,
                "thresholds_by_language": h.thresholds_by_language,
            }
            for name, h in self.heads.items()
        }
        document = {"features": self.featurizer.spec.to_json(), "heads": heads, "meta": self.meta}
        json_path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, npz_path: Path = MODEL_NPZ, json_path: Path = MODEL_JSON) -> Model:
        document = json.loads(json_path.read_text(encoding="utf-8"))
        with np.load(npz_path, allow_pickle=False) as arrays:
            weights = arrays["weights"].astype(np.float32)
            bias = arrays["bias"].astype(np.float32)
            idf = arrays["idf"].astype(np.float32)
        heads = {
            name: Head(
                name=name,
                kind=h["kind"],
                start=int(h["start"]),
                labels=tuple(h["labels"]),
                threshold=float(h["threshold"]),
                thresholds_by_language=dict(h.get("thresholds_by_language", {})),
            )
            for name, h in document["heads"].items()
        }
        return cls(
            spec=FeatureSpec.from_json(document["features"]),
            idf=idf,
            weights=weights,
            bias=bias,
            heads=heads,
            meta=document.get("meta", {}),
        )


_model: Model | None = None
_lock = threading.Lock()


def get_model() -> Model:
    """The shipped model, loaded once per process on first use."""
    global _model
    with _lock:
        if _model is None:
            _model = Model.load()
        return _model
