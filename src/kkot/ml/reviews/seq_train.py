"""Training of the character sequence models (:class:`CharCNN`, :class:`CharGRU`) with torch (CPU).

The torch networks compute exactly what the numpy models compute (same input, padding, masks and
pooling), so trained weights are copied over as they are (:func:`torch_scores` checks it). Batches hold
texts of similar length (sorted with a little noise, then shuffled); the loss is class-balanced logistic
loss; Adam with a learning rate decaying linearly to zero; dropout before the output layer.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from kkot.ml.reviews.charcnn import CharCNN
from kkot.ml.reviews.chargru import CharGRU
from kkot.ml.reviews.chars import N_JAMO, build_vocab, encode_chars

__all__ = ["finetune_seq", "train_char_cnn", "train_char_gru", "torch_scores"]

SeqModel = CharCNN | CharGRU


def _net(kind: str, n_chars: int, dim: int, size: int, widths: tuple[int, ...], dropout: float) -> Any:
    """Torch network of ``kind`` (``"cnn"``: ``size`` filters per width; ``"bigru"``: ``size`` hidden)."""
    import torch

    class _Net(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.char_emb = torch.nn.Embedding(n_chars, dim, padding_idx=0)
            self.jamo_emb = torch.nn.Embedding(N_JAMO, dim, padding_idx=0)
            for e in (self.char_emb, self.jamo_emb):
                torch.nn.init.normal_(e.weight, 0.0, 0.3)
                with torch.no_grad():
                    e.weight[0].zero_()
            if kind == "cnn":
                self.convs = torch.nn.ModuleList(torch.nn.Conv1d(dim, size, k) for k in widths)
                n_feat = 2 * size * len(widths)
            else:
                self.gru = torch.nn.GRU(dim, size, batch_first=True, bidirectional=True)
                n_feat = 4 * size
            self.drop = torch.nn.Dropout(dropout)
            self.out = torch.nn.Linear(n_feat, 1)

        def forward(self, ids: Any, jamo: Any, lens: Any) -> Any:
            x = self.char_emb(ids) + self.jamo_emb(jamo).sum(dim=2)  # (n, L, dim)
            f = self._cnn(x, lens) if kind == "cnn" else self._gru(x, lens)
            return self.out(self.drop(f)).squeeze(-1)

        def _cnn(self, x: Any, lens: Any) -> Any:
            length = x.shape[1]
            x = torch.nn.functional.pad(x, (0, 0, 0, max(widths) - 1)).transpose(1, 2)
            maxes, means = [], []
            for k, conv in zip(widths, self.convs, strict=True):
                t = max(length - k + 1, 1)
                h = torch.relu(conv(x[:, :, : t + k - 1]))  # (n, filters, t)
                valid = torch.clamp(lens - k + 1, min=1)
                h = h * (torch.arange(t)[None, :] < valid[:, None])[:, None, :]
                maxes.append(h.max(dim=2).values)
                means.append(h.sum(dim=2) / valid[:, None])
            return torch.cat(maxes + means, dim=1)

        def _gru(self, x: Any, lens: Any) -> Any:
            rnn = torch.nn.utils.rnn
            packed = rnn.pack_padded_sequence(x, lens, batch_first=True, enforce_sorted=False)
            o, _ = rnn.pad_packed_sequence(self.gru(packed)[0], batch_first=True)  # (n, L, 2 hidden)
            m = (torch.arange(o.shape[1])[None, :] < lens[:, None])[:, :, None]
            mx = o.masked_fill(~m, float("-inf")).max(dim=1).values
            return torch.cat([mx, (o * m).sum(dim=1) / lens[:, None]], dim=1)

    return _Net()


def _to_numpy(net: Any, kind: str, vocab: np.ndarray, widths: tuple[int, ...], max_len: int) -> SeqModel:
    import torch

    c = lambda t: t.detach().numpy().copy()  # noqa: E731
    with torch.no_grad():
        ce, je = c(net.char_emb.weight), c(net.jamo_emb.weight)
        out_w, out_b = c(net.out.weight).ravel(), float(net.out.bias.item())
        if kind == "cnn":
            return CharCNN(
                vocab, ce, je, widths,
                [c(cv.weight.permute(2, 1, 0)) for cv in net.convs],
                [c(cv.bias) for cv in net.convs],
                out_w, out_b, max_len,
            )
        g = net.gru
        return CharGRU(
            vocab, ce, je,
            [c(g.weight_ih_l0.T), c(g.weight_ih_l0_reverse.T)],
            [c(g.bias_ih_l0), c(g.bias_ih_l0_reverse)],
            [c(g.weight_hh_l0.T), c(g.weight_hh_l0_reverse.T)],
            [c(g.bias_hh_l0), c(g.bias_hh_l0_reverse)],
            out_w, out_b, max_len,
        )


def _load_net(model: SeqModel, dropout: float = 0.0) -> Any:
    """A torch network holding ``model``'s weights (the inverse of :func:`_to_numpy`)."""
    import torch

    t = lambda a: torch.from_numpy(np.ascontiguousarray(a, dtype=np.float32))  # noqa: E731
    dim = model.char_emb.shape[1]
    if isinstance(model, CharCNN):
        net = _net("cnn", model.char_emb.shape[0], dim, model.conv_b[0].shape[0], model.widths, dropout)
    else:
        net = _net("bigru", model.char_emb.shape[0], dim, model.hidden, (), dropout)
    with torch.no_grad():
        net.char_emb.weight.copy_(t(model.char_emb))
        net.jamo_emb.weight.copy_(t(model.jamo_emb))
        net.out.weight.copy_(t(model.out_w[None, :]))
        net.out.bias.fill_(model.out_b)
        if isinstance(model, CharCNN):
            for conv, w, b in zip(net.convs, model.conv_w, model.conv_b, strict=True):
                conv.weight.copy_(t(w.transpose(2, 1, 0)))
                conv.bias.copy_(t(b))
        else:
            for d, sfx in enumerate(("l0", "l0_reverse")):
                getattr(net.gru, f"weight_ih_{sfx}").copy_(t(model.w_ih[d].T))
                getattr(net.gru, f"weight_hh_{sfx}").copy_(t(model.w_hh[d].T))
                getattr(net.gru, f"bias_ih_{sfx}").copy_(t(model.b_ih[d]))
                getattr(net.gru, f"bias_hh_{sfx}").copy_(t(model.b_hh[d]))
    return net


def torch_scores(model: SeqModel, texts: Sequence[str]) -> np.ndarray:
    """Scores of ``texts`` computed by a torch network holding ``model``'s weights (for checks)."""
    import torch

    net = _load_net(model)
    net.eval()
    with torch.no_grad():
        ids, jamo, lens, _ = encode_chars(texts, model.vocab, model.max_len)
        z = net(torch.from_numpy(ids).long(), torch.from_numpy(jamo).long(), torch.from_numpy(lens))
    return z.numpy().astype(np.float64)


def _train(
    kind: str,
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    dim: int,
    size: int,
    widths: tuple[int, ...],
    vocab_size: int,
    epochs: int,
    lr: float,
    batch_size: int,
    dropout: float,
    max_len: int,
    seed: int,
    progress: bool,
    on_epoch: Callable[[int, Any], None] | None,
    init: SeqModel | None = None,
    sample_weight: np.ndarray | None = None,
) -> Any:
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    xs = list(texts)
    y = np.asarray(labels, np.float32)
    if len(set(y.tolist())) < 2:
        raise ValueError("need both positive and negative examples to train")
    if init is None:
        vocab = build_vocab(xs, vocab_size, max_len)
        net = _net(kind, len(vocab) + 2, dim, size, widths, dropout)
    else:  # continue from ``init``'s weights and vocabulary
        vocab, max_len = init.vocab, init.max_len
        widths = init.widths if isinstance(init, CharCNN) else ()
        net = _load_net(init, dropout)
    sw = np.ones(len(xs), np.float32) if sample_weight is None else np.asarray(sample_weight, np.float32)
    opt = torch.optim.Adam(net.parameters(), lr=lr)
    n = len(xs)
    pos = max(float(sw[y > 0].sum()), 1e-9)
    w_pos, w_neg = sw.sum() / (2 * pos), sw.sum() / (2 * max(float(sw[y <= 0].sum()), 1e-9))
    lens = np.fromiter((min(len(t), max_len) for t in xs), np.float64, n)
    total_steps, step = epochs * ((n + batch_size - 1) // batch_size), 0
    for epoch in range(epochs):
        net.train()
        order = np.argsort(lens + rng.uniform(0, 3, n), kind="stable")
        batches = [order[i : i + batch_size] for i in range(0, n, batch_size)]
        rng.shuffle(batches)
        it: Any = batches
        if progress:
            from tqdm import tqdm

            it = tqdm(batches, desc=f"char {kind} epoch {epoch + 1}/{epochs}", mininterval=2.0)
        for idx in it:
            ids, jamo, ln, _ = encode_chars([xs[j] for j in idx], vocab, max_len)
            yb = torch.from_numpy(y[idx])
            logit = net(torch.from_numpy(ids).long(), torch.from_numpy(jamo).long(), torch.from_numpy(ln))
            wt = torch.where(yb > 0, torch.tensor(w_pos), torch.tensor(w_neg)) * torch.from_numpy(sw[idx])
            loss = (
                torch.nn.functional.binary_cross_entropy_with_logits(logit, yb, reduction="none") * wt
            ).mean()
            for g in opt.param_groups:
                g["lr"] = lr * (1.0 - step / total_steps)
            opt.zero_grad()
            loss.backward()
            opt.step()
            with torch.no_grad():  # padding rows stay zero (numpy inference relies on it)
                net.char_emb.weight[0].zero_()
                net.jamo_emb.weight[0].zero_()
            step += 1
        net.eval()
        if on_epoch is not None:
            on_epoch(epoch, _to_numpy(net, kind, vocab, widths, max_len))
    net.eval()
    return _to_numpy(net, kind, vocab, widths, max_len)


def train_char_cnn(
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    dim: int = 48,
    widths: tuple[int, ...] = (2, 3, 4, 5),
    filters: int = 96,
    vocab_size: int = 3000,
    epochs: int = 3,
    lr: float = 2e-3,
    batch_size: int = 128,
    dropout: float = 0.3,
    max_len: int = 150,
    seed: int = 0,
    progress: bool = True,
    on_epoch: Callable[[int, Any], None] | None = None,
) -> CharCNN:
    """Train a :class:`CharCNN` on cleaned ``texts`` with binary ``labels`` (1 positive)."""
    return _train("cnn", texts, labels, dim, filters, widths, vocab_size, epochs, lr, batch_size, dropout,
                  max_len, seed, progress, on_epoch)


def train_char_gru(
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    dim: int = 48,
    hidden: int = 64,
    vocab_size: int = 3000,
    epochs: int = 3,
    lr: float = 2e-3,
    batch_size: int = 128,
    dropout: float = 0.3,
    max_len: int = 150,
    seed: int = 0,
    progress: bool = True,
    on_epoch: Callable[[int, Any], None] | None = None,
) -> CharGRU:
    """Train a :class:`CharGRU` on cleaned ``texts`` with binary ``labels`` (1 positive)."""
    return _train("bigru", texts, labels, dim, hidden, (), vocab_size, epochs, lr, batch_size, dropout,
                  max_len, seed, progress, on_epoch)


def finetune_seq(
    model: SeqModel,
    texts: Sequence[str],
    labels: Sequence[int] | np.ndarray,
    sample_weight: Sequence[float] | np.ndarray | None = None,
    epochs: int = 2,
    lr: float = 5e-4,
    batch_size: int = 64,
    dropout: float = 0.3,
    seed: int = 0,
    progress: bool = False,
) -> SeqModel:
    """Continue training ``model`` (a copy; its vocabulary is kept) on cleaned ``texts`` with binary
    ``labels`` and optional per-text weights: a store or category model learning its own words."""
    kind = "cnn" if isinstance(model, CharCNN) else "bigru"
    size = model.conv_b[0].shape[0] if isinstance(model, CharCNN) else model.hidden
    sw = None if sample_weight is None else np.asarray(sample_weight, np.float32)
    return _train(kind, texts, labels, model.char_emb.shape[1], size, (), len(model.vocab), epochs, lr,
                  batch_size, dropout, model.max_len, seed, progress, None, init=model, sample_weight=sw)
