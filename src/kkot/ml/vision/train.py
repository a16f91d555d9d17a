"""Training the shipped image CNN with torch (``pip install kkot[train]``), exported to numpy weights.

Only ship-safe data trains the shipped model: ``clothing_dataset_small`` (CC0). The same function trains on a
platform's own catalog photos (any ``(images, labels)`` arrays).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable

import numpy as np

from kkot.ml.vision.cnn import CnnEmbedder, conv_plan

__all__ = ["train_cnn"]


def _build(channels: tuple[int, int, int, int], emb_dim: int, n_classes: int):  # noqa: ANN202
    import torch
    from torch import nn

    class Net(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.plan = conv_plan(channels)
            self.convs = nn.ModuleList(
                nn.Conv2d(i, o, 3, stride=st, padding=1, bias=False) for i, o, st, _ in self.plan
            )
            self.bns = nn.ModuleList(nn.BatchNorm2d(o) for _, o, _, _ in self.plan)
            self.emb = nn.Linear(2 * channels[3], emb_dim)
            self.drop = nn.Dropout(0.2)
            self.cls = nn.Linear(emb_dim, n_classes)

        def forward(self, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
            for conv, bn, (_, _, _, pool) in zip(self.convs, self.bns, self.plan, strict=True):
                x = torch.relu(bn(conv(x)))
                if pool:
                    x = nn.functional.max_pool2d(x, 2)
            x = torch.cat([x.mean(dim=(2, 3)), x.amax(dim=(2, 3))], dim=1)
            e = self.emb(x)
            return e, self.cls(self.drop(torch.relu(e)))

    return Net()


def _augment(xb, out_size: int, rng: np.random.Generator):  # noqa: ANN001, ANN202
    """Random resized crop (scale 0.6-1), flip, brightness/contrast/saturation jitter; xb (N, 3, S, S)."""
    import torch
    import torch.nn.functional as F

    n, _, s, _ = xb.shape
    scale = rng.uniform(0.6, 1.0, n)
    ratio = np.exp(rng.uniform(np.log(0.8), np.log(1.25), n))
    cw = np.clip(np.sqrt(scale * ratio), 0.3, 1.0)
    ch = np.clip(np.sqrt(scale / ratio), 0.3, 1.0)
    cx = rng.uniform(-1 + cw, 1 - cw + 1e-9)
    cy = rng.uniform(-1 + ch, 1 - ch + 1e-9)
    flip = np.where(rng.random(n) < 0.5, -1.0, 1.0)
    theta = np.zeros((n, 2, 3), np.float32)
    theta[:, 0, 0] = cw * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = ch
    theta[:, 1, 2] = cy
    grid = F.affine_grid(torch.from_numpy(theta), [n, 3, out_size, out_size], align_corners=False)
    x = F.grid_sample(xb, grid, mode="bilinear", padding_mode="border", align_corners=False)
    b = torch.from_numpy(rng.uniform(-0.15, 0.15, (n, 1, 1, 1)).astype(np.float32))
    c = torch.from_numpy(rng.uniform(0.75, 1.25, (n, 1, 1, 1)).astype(np.float32))
    sat = torch.from_numpy(rng.uniform(0.6, 1.4, (n, 1, 1, 1)).astype(np.float32))
    grey = x.mean(dim=1, keepdim=True)
    x = grey + (x - grey) * sat
    mu = x.mean(dim=(1, 2, 3), keepdim=True)
    x = (x - mu) * c + mu + b
    return x.clamp(0.0, 1.0)


def train_cnn(
    images: np.ndarray,
    labels: np.ndarray,
    classes: list[str],
    *,
    input_size: int = 64,
    channels: tuple[int, int, int, int] = (32, 64, 96, 160),
    emb_dim: int = 128,
    epochs: int = 30,
    batch_size: int = 64,
    lr: float = 3e-3,
    weight_decay: float = 5e-4,
    seed: int = 0,
    val: tuple[np.ndarray, np.ndarray] | None = None,
    threads: int = 2,
    progress: Callable[[str], None] | None = print,
    meta: dict | None = None,
) -> CnnEmbedder:
    """Train on uint8 images (N, S0, S0, 3) (S0 >= input_size; cropped/resized on the fly) and export."""
    import torch
    import torch.nn.functional as F

    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    rng = np.random.default_rng(seed)
    n_classes = len(classes)
    net = _build(channels, emb_dim, n_classes)
    x_all = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255.0)
    mean = x_all.mean(dim=(0, 2, 3)).numpy()
    std = x_all.std(dim=(0, 2, 3)).numpy()
    mean_t = torch.from_numpy(mean).view(1, 3, 1, 1)
    std_t = torch.from_numpy(std).view(1, 3, 1, 1)
    y_all = torch.from_numpy(labels.astype(np.int64))
    steps_per_epoch = math.ceil(len(x_all) / batch_size)
    total = epochs * steps_per_epoch
    opt = torch.optim.AdamW(net.parameters(), lr=lr, weight_decay=weight_decay)
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, max_lr=lr, total_steps=total, pct_start=0.15)
    # class-balanced loss weights (the clothing classes are imbalanced)
    counts = np.bincount(labels, minlength=n_classes).astype(np.float32)
    cw = torch.from_numpy((counts.sum() / np.maximum(counts, 1) / n_classes) ** 0.5)
    for ep in range(epochs):
        net.train()
        t0 = time.time()
        perm = rng.permutation(len(x_all))
        tot_loss = 0.0
        for i in range(0, len(perm), batch_size):
            idx = torch.from_numpy(perm[i : i + batch_size])
            xb = _augment(x_all[idx], input_size, rng)
            xb = (xb - mean_t) / std_t
            _, logits = net(xb)
            loss = F.cross_entropy(logits, y_all[idx], weight=cw, label_smoothing=0.1)
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            tot_loss += float(loss.detach()) * len(idx)
        msg = f"epoch {ep + 1}/{epochs} loss {tot_loss / len(perm):.3f} ({time.time() - t0:.0f}s)"
        if val is not None and (ep + 1 == epochs or (ep + 1) % 5 == 0):
            acc = _eval(net, val[0], val[1], input_size, mean_t, std_t)
            msg += f" val_acc {acc:.3f}"
        if progress:
            progress(msg)
    return _export(net, channels, input_size, classes, mean, std, meta or {})


def _eval(net, images: np.ndarray, labels: np.ndarray, size: int, mean_t, std_t) -> float:  # noqa: ANN001
    import torch
    import torch.nn.functional as F

    net.eval()
    with torch.no_grad():
        x = torch.from_numpy(images).permute(0, 3, 1, 2).float().div(255.0)
        if x.shape[-1] != size:
            x = F.interpolate(x, size=(size, size), mode="area")
        x = (x - mean_t) / std_t
        _, lg = net(x)
        _, lg2 = net(torch.flip(x, dims=[3]))
    return float(((lg + lg2).argmax(1).numpy() == labels).mean())


def _export(net, channels, input_size, classes, mean, std, meta) -> CnnEmbedder:  # noqa: ANN001
    net.eval()
    weights: dict[str, np.ndarray] = {}
    for i, (conv, bn) in enumerate(zip(net.convs, net.bns, strict=True)):
        w = conv.weight.detach().numpy()  # (out, in, 3, 3)
        g = (bn.weight / (bn.running_var + bn.eps).sqrt()).detach().numpy()
        b = (bn.bias - bn.running_mean * bn.weight / (bn.running_var + bn.eps).sqrt()).detach().numpy()
        w = w * g[:, None, None, None]
        weights[f"conv{i}_w"] = w.transpose(2, 3, 1, 0).reshape(-1, w.shape[0]).astype(np.float32)
        weights[f"conv{i}_b"] = b.astype(np.float32)
    weights["emb_w"] = net.emb.weight.detach().numpy().T.copy()
    weights["emb_b"] = net.emb.bias.detach().numpy().copy()
    weights["cls_w"] = net.cls.weight.detach().numpy().T.copy()
    weights["cls_b"] = net.cls.bias.detach().numpy().copy()
    return CnnEmbedder(
        weights=weights,
        channels=tuple(channels),
        input_size=input_size,
        classes=list(classes),
        mean=np.asarray(mean, np.float32),
        std=np.asarray(std, np.float32),
        meta=dict(meta),
    )


def classifier_features(model: CnnEmbedder, images: np.ndarray, batch_size: int = 256) -> np.ndarray:
    """The classifier's input for each image: ReLU(embedding) averaged over the image and its mirror
    (exactly what :meth:`CnnEmbedder.predict_proba` feeds its last layer)."""
    x_all = model._prepare(images)
    out = []
    for i in range(0, len(x_all), batch_size):
        x = x_all[i : i + batch_size]
        e1, _ = model._features(x)
        e2, _ = model._features(x[:, :, ::-1].copy())
        out.append((np.maximum(e1, 0.0) + np.maximum(e2, 0.0)) / 2)
    return np.concatenate(out)


def refit_classifier(
    model: CnnEmbedder,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    cs: tuple[float, ...] = (0.003, 0.01, 0.03, 0.1, 0.3),
    folds: int = 5,
    seed: int = 0,
) -> float:
    """Replace the CNN's last layer by an L2-regularised logistic regression on its frozen features.

    The regularisation strength is chosen by stratified ``folds``-fold cross-validation over ``images``
    (typically train + validation: more data than the network saw through its last layer, and a stronger
    prior that generalises better to photos unlike the training ones). The standardisation is folded into
    the weights, so inference is unchanged. Returns the chosen C.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    x = classifier_features(model, images)
    y = np.asarray(labels)
    mu, sd = x.mean(0), x.std(0) + 1e-6
    xs = (x - mu) / sd
    n_cls = len(model.classes)

    def fit(c: float, idx: np.ndarray) -> LogisticRegression:
        return LogisticRegression(C=c, max_iter=3000).fit(xs[idx], y[idx])

    scores = []
    for c in cs:
        acc = [
            float((fit(c, a).predict(xs[b]) == y[b]).mean())
            for a, b in StratifiedKFold(folds, shuffle=True, random_state=seed).split(xs, y)
        ]
        scores.append(float(np.mean(acc)))
    best = cs[int(np.argmax(scores))]
    lr = fit(best, np.arange(len(y)))
    w = np.zeros((n_cls, x.shape[1]), np.float32)
    b = np.full(n_cls, -30.0, np.float32)
    coef, inter = lr.coef_, lr.intercept_
    if coef.shape[0] == 1:  # two classes: sklearn keeps one logistic output
        coef, inter = np.vstack([-coef[0], coef[0]]) / 2, np.array([-inter[0], inter[0]]) / 2
    w[lr.classes_], b[lr.classes_] = coef, inter
    model.weights["cls_w"] = (w / sd).T.astype(np.float32)
    model.weights["cls_b"] = (b - (mu / sd) @ w.T).astype(np.float32)
    model.meta["classifier"] = {
        "refit": "logistic regression on frozen features",
        "C": best,
        "cv_accuracy": round(max(scores), 4),
        "n": int(len(y)),
    }
    return best
