"""Readers, the `kkot train recs` command and small samples of the real datasets."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kkot.ml.datasets import require_dataset
from kkot.ml.recs import SessionKNN, load_model
from kkot.ml.recs.commands import load_item_keys, train
from kkot.ml.recs.data import detect_format, read_baskets_csv, read_sessions, to_interactions


def test_formats(tmp_path: Path) -> None:
    seq = tmp_path / "s.txt"
    seq.write_text("1 2 3\n2 3\n", encoding="utf-8")
    ev = tmp_path / "e.tsv"
    ev.write_text("SessionId\tItemId\tTime\n7\tb\t20\n7\ta\t10\n3\tc\t5\n", encoding="utf-8")
    ui = tmp_path / "u.txt"
    ui.write_text("1 5\n1 6\n2 5\n", encoding="utf-8")
    assert [detect_format(p) for p in (seq, ev, ui)] == ["seq", "events", "user_item"]
    assert read_sessions(seq)[0] == [["1", "2", "3"], ["2", "3"]]
    items, times = read_sessions(ev)
    assert items == [["c"], ["a", "b"]] and times == [[5.0], [10.0, 20.0]]
    assert read_sessions(ui)[0] == [["5", "6"], ["5"]]
    with pytest.raises(FileNotFoundError):
        read_sessions(tmp_path / "missing.txt")


def test_unknown_items_are_dropped_by_vocab() -> None:
    inter, vocab = to_interactions([["a", "b"], ["b", "c"]])
    again, _ = to_interactions([["a", "zzz", "c"]], vocab=vocab)
    assert again.sequences()[0].tolist() == [0, 2] and inter.n_items == 3


def test_train_command_writes_loadable_model(tmp_path: Path) -> None:
    data = tmp_path / "train.txt"
    data.write_text("\n".join(["1 2 3", "2 3 4", "1 2", "3 4 5"] * 20) + "\n", encoding="utf-8")
    out = tmp_path / "model"
    assert train([str(data), "--out", str(out), "--model", "stan"]) == 0
    model = load_model(out)
    keys = load_item_keys(out)
    assert isinstance(model, SessionKNN) and sorted(keys) == ["1", "2", "3", "4", "5"]
    ids, _ = model.recommend([[keys.index("1")]], k=1, exclude=[[keys.index("1")]])
    assert keys[ids[0, 0]] == "2"
    assert train([str(tmp_path / "nope.txt"), "--out", str(out)]) == 2


def test_train_command_content_with_texts(tmp_path: Path) -> None:
    data = tmp_path / "train.txt"
    data.write_text("a b\nb c\n", encoding="utf-8")
    texts = tmp_path / "texts.tsv"
    texts.write_text("a\t린넨 셔츠\nb\t린넨 셔츠 블루\nc\t가죽 구두\nd\t가죽 구두 블랙\n", encoding="utf-8")
    out = tmp_path / "content"
    assert train([str(data), "--out", str(out), "--model", "content", "--texts", str(texts)]) == 0
    keys = load_item_keys(out)
    ids, _ = load_model(out).similar_items([keys.index("c")], k=1)
    assert keys[ids[0, 0]] == "d"  # 'd' has no interactions at all: cold start by content


def test_diginetica_sample_stan_beats_popularity() -> None:
    d = require_dataset("diginetica_sessions_srgnn_preprocessed")
    with open(d / "all_train_seq.txt", encoding="utf-8") as fh:
        sessions = [line.split() for _, line in zip(range(20_000), fh, strict=False)]
    train_s, test_s = sessions[:18_000], [s for s in sessions[18_000:] if len(s) >= 2]
    inter, vocab = to_interactions(train_s)
    hist = [vocab.encode(s[:-1]) for s in test_s]
    target = vocab.encode([s[-1] for s in test_s])
    ids, _ = SessionKNN.stan(k=100, sample=500, lambda_time=None).fit(inter).recommend(hist, k=20)
    hit = (ids == target[:, None]).any(axis=1).mean()
    assert hit > 0.25  # popularity alone is below 0.03 here


def test_grocery_baskets_sample() -> None:
    d = require_dataset("groceries_basket")
    baskets = read_baskets_csv(d / "Groceries_dataset.csv", ("Member_number", "Date"), "itemDescription")
    assert len(baskets) > 10_000 and all(len(set(b)) == len(b) for b in baskets[:100])
    inter, vocab = to_interactions(baskets[:2000])
    assert inter.n_sessions == 2000 and np.all(inter.lengths >= 1)
