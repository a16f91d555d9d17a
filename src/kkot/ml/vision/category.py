"""Category prediction from title + image, trained on the platform's own catalog.

The platform supplies ``(title, image, category)`` triples; images are turned into vectors by any
:class:`~kkot.ml.vision.embedding.EmbeddingModel` (or a :class:`VisualEncoder`), titles by hashed
character n-grams (works for Korean without a tokenizer). Two logistic regressions (text, image) are fused
by a weighted sum of log-probabilities whose weight is chosen on a held-out slice of the training data.
An empty title falls back to the image alone; a missing image to the title alone.
Saved as json + npz (no pickle).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from scipy import sparse

__all__ = ["CategoryPredictor", "predict_category"]

N_FEATURES = 2**16


def _hasher():  # noqa: ANN202
    from sklearn.feature_extraction.text import HashingVectorizer

    return HashingVectorizer(analyzer="char_wb", ngram_range=(1, 3), n_features=N_FEATURES,
                             alternate_sign=False, norm=None, lowercase=True)


def _softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


class CategoryPredictor:
    def __init__(self, *, c_text: float = 10.0, c_image: float = 1.0) -> None:
        self.c_text, self.c_image = c_text, c_image
        self.classes_: list[str] = []
        self.idf_: np.ndarray | None = None
        self.text_w_: np.ndarray | None = None
        self.text_b_: np.ndarray | None = None
        self.img_w_: np.ndarray | None = None
        self.img_b_: np.ndarray | None = None
        self.img_mu_: np.ndarray | None = None
        self.img_sd_: np.ndarray | None = None
        self.text_weight_: float = 0.5

    # -------------------------------------------------------------- features
    def _text(self, titles: Sequence[str]) -> sparse.csr_matrix:
        x = _hasher().transform([t or "" for t in titles]).tocsr().astype(np.float32)
        x.data = np.log1p(x.data)
        x = x.multiply(self.idf_).tocsr()
        norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1))).ravel()
        return sparse.diags(1.0 / np.maximum(norms, 1e-9)) @ x

    def _img(self, vectors: np.ndarray) -> np.ndarray:
        return (np.asarray(vectors, np.float32) - self.img_mu_) / self.img_sd_

    # -------------------------------------------------------------- fit / predict
    def fit(self, titles: Sequence[str], image_vectors: np.ndarray, categories: Sequence[str]) -> CategoryPredictor:
        from sklearn.linear_model import LogisticRegression

        y_names = list(categories)
        self.classes_ = sorted(set(y_names))
        y = np.array([self.classes_.index(c) for c in y_names])
        raw = _hasher().transform([t or "" for t in titles])
        df = np.asarray((raw > 0).sum(axis=0)).ravel()
        self.idf_ = (np.log((1 + len(y)) / (1 + df)) + 1.0).astype(np.float32)
        iv = np.asarray(image_vectors, np.float32)
        self.img_mu_ = iv.mean(0)
        self.img_sd_ = iv.std(0) + 1e-6
        # choose the fusion weight on a held-out 15% slice, then refit on everything
        rng = np.random.default_rng(0)
        hold = rng.random(len(y)) < 0.15
        if hold.sum() >= 10 and len(set(y[~hold])) == len(self.classes_):
            self._fit_heads(titles, iv, y, ~hold, LogisticRegression)
            pt, pi = self._probs([titles[i] for i in np.flatnonzero(hold)], iv[hold])
            best = max(np.linspace(0, 1, 11), key=lambda w: float(
                ((w * np.log(pt + 1e-9) + (1 - w) * np.log(pi + 1e-9)).argmax(1) == y[hold]).mean()))
            self.text_weight_ = float(best)
        self._fit_heads(titles, iv, y, np.ones(len(y), bool), LogisticRegression)
        return self

    def _fit_heads(self, titles, iv, y, sel, lr_cls) -> None:  # noqa: ANN001
        idx = np.flatnonzero(sel)
        xt = self._text([titles[i] for i in idx])
        n_cls = len(self.classes_)
        t = lr_cls(C=self.c_text, max_iter=300).fit(xt, y[idx])
        self.text_w_, self.text_b_ = self._full(t, n_cls, xt.shape[1])
        im = lr_cls(C=self.c_image, max_iter=500).fit(self._img(iv[idx]), y[idx])
        self.img_w_, self.img_b_ = self._full(im, n_cls, iv.shape[1])

    @staticmethod
    def _full(model, n_cls: int, n_feat: int) -> tuple[np.ndarray, np.ndarray]:  # noqa: ANN001
        w = np.zeros((n_cls, n_feat), np.float32)
        b = np.full(n_cls, -30.0, np.float32)
        coef, inter = model.coef_, model.intercept_
        if len(model.classes_) == 2 and coef.shape[0] == 1:
            coef = np.vstack([-coef[0], coef[0]]) / 2
            inter = np.array([-inter[0], inter[0]]) / 2
        w[model.classes_] = coef
        b[model.classes_] = inter
        return w, b

    def _probs(self, titles: Sequence[str], image_vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        pt = _softmax(np.asarray(self._text(titles) @ self.text_w_.T) + self.text_b_)
        pi = _softmax(self._img(image_vectors) @ self.img_w_.T + self.img_b_)
        return pt, pi

    def predict_proba(self, titles: Sequence[str | None], image_vectors: np.ndarray | None) -> np.ndarray:
        """(N, n_classes) probabilities. Empty titles use the image alone; ``image_vectors=None`` the title."""
        titles = [t or "" for t in titles]
        n = len(titles)
        if image_vectors is None:
            pt = _softmax(np.asarray(self._text(titles) @ self.text_w_.T) + self.text_b_)
            return pt
        pt, pi = self._probs(titles, np.asarray(image_vectors, np.float32).reshape(n, -1))
        w = np.array([self.text_weight_ if t.strip() else 0.0 for t in titles])[:, None]
        return _softmax(w * np.log(pt + 1e-9) + (1 - w) * np.log(pi + 1e-9))

    def predict_top(self, titles: Sequence[str | None], image_vectors: np.ndarray | None,
                    k: int = 3) -> list[list[tuple[str, float]]]:
        p = self.predict_proba(titles, image_vectors)
        top = np.argsort(-p, axis=1)[:, :k]
        return [[(self.classes_[j], float(p[i, j])) for j in row] for i, row in enumerate(top)]

    # -------------------------------------------------------------- persistence
    def save(self, path: str | Path) -> None:
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path / "category.npz", idf=self.idf_, text_w=self.text_w_, text_b=self.text_b_,
                            img_w=self.img_w_, img_b=self.img_b_, img_mu=self.img_mu_, img_sd=self.img_sd_)
        (path / "category.json").write_text(json.dumps(
            {"format": "kkot-category-v1", "classes": self.classes_, "text_weight": self.text_weight_,
             "c_text": self.c_text, "c_image": self.c_image}, ensure_ascii=False), encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> CategoryPredictor:
        path = Path(path)
        cfg = json.loads((path / "category.json").read_text(encoding="utf-8"))
        if cfg.get("format") != "kkot-category-v1":
            raise ValueError(f"not a kkot category model: {path}")
        m = cls(c_text=cfg["c_text"], c_image=cfg["c_image"])
        m.classes_, m.text_weight_ = list(cfg["classes"]), float(cfg["text_weight"])
        with np.load(path / "category.npz", allow_pickle=False) as z:
            m.idf_, m.text_w_, m.text_b_ = z["idf"], z["text_w"], z["text_b"]
            m.img_w_, m.img_b_, m.img_mu_, m.img_sd_ = z["img_w"], z["img_b"], z["img_mu"], z["img_sd"]
        return m


def predict_category(
    title: str | None,
    image: np.ndarray | None,
    *,
    encoder,  # noqa: ANN001 - VisualEncoder or any EmbeddingModel (has .encode or .embed)
    model: CategoryPredictor,
    k: int = 3,
) -> list[tuple[str, float]]:
    """Top-``k`` (category, probability) for one product from its title and representative image."""
    vec = None
    if image is not None:
        enc = encoder.encode if hasattr(encoder, "encode") else encoder.embed
        vec = enc(np.asarray(image)[None])
    return model.predict_top([title or ""], vec, k=k)[0]
