"""Reading interaction files (the formats of the public benchmarks and of kkot's event exports).

Supported formats (``detect_format`` guesses from the first lines):

* ``seq``: one session per line, item ids separated by spaces (``all_train_seq.txt``).
* ``events``: a header line and ``session<TAB>item[<TAB>time]`` rows (YooChoose ``SessionId ItemId Time``,
  kkot's event export). Rows are grouped by session and sorted by time.
* ``user_item``: ``user item`` per line in time order (Amazon SASRec/BERT4Rec files).
* ``basket_csv``: a CSV with a header; baskets are formed by the ``--basket-cols`` and items are in
  ``--item-col`` (grocery and bakery files).

Item keys are kept as strings until :class:`Vocab` maps them to dense ids.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from kkot.ml.recs.base import Interactions


class Vocab:
    """Dense ids for item keys (strings), built from training data; unknown keys map to -1."""

    def __init__(self, keys: Iterable[str] = ()) -> None:
        self.keys: list[str] = []
        self.ids: dict[str, int] = {}
        self.add_all(keys)

    def add_all(self, keys: Iterable[str]) -> None:
        for key in keys:
            if key not in self.ids:
                self.ids[key] = len(self.keys)
                self.keys.append(key)

    def __len__(self) -> int:
        return len(self.keys)

    def encode(self, keys: Sequence[str]) -> np.ndarray:
        get = self.ids.get
        return np.fromiter((get(k, -1) for k in keys), dtype=np.int64, count=len(keys))

    def decode(self, ids: Iterable[int]) -> list[str | None]:
        return [self.keys[i] if 0 <= i < len(self.keys) else None for i in ids]


def detect_format(path: str | Path) -> str:
    path = Path(path)
    with open(path, encoding="utf-8-sig") as fh:
        first = fh.readline()
        second = fh.readline()
    if path.suffix.lower() == ".csv":
        return "basket_csv"
    if "\t" in first and not first.split("\t")[0].strip().lstrip("-").isdigit():
        return "events"
    if "\t" in first and "\t" in second and len(first.split("\t")) >= 2:
        return "events"
    parts = first.split()
    if len(parts) == 2 and len(second.split()) == 2 and parts[0] == second.split()[0]:
        return "user_item"
    return "seq"


def read_seq(path: str | Path) -> list[list[str]]:
    with open(path, encoding="utf-8") as fh:
        return [line.split() for line in fh if line.strip()]


def read_prefix_targets(path: str | Path) -> tuple[list[list[str]], list[str]]:
    prefixes: list[list[str]] = []
    targets: list[str] = []
    with open(path, encoding="utf-8") as fh:
        header = fh.readline()
        if not header.lower().startswith("prefix"):
            fh.seek(0)
        for line in fh:
            if not line.strip():
                continue
            pre, tgt = line.rstrip("\n").split("\t")
            prefixes.append(pre.split())
            targets.append(tgt.strip())
    return prefixes, targets


def read_events(path: str | Path) -> tuple[list[list[str]], list[list[float]], list[str]]:
    """Sessions (items and times, time-ordered) from ``session<TAB>item<TAB>time`` rows."""
    sessions: dict[str, list[tuple[float, int, str]]] = {}
    with open(path, encoding="utf-8") as fh:
        header = fh.readline().rstrip("\n").split("\t")
        has_header = not header[0].strip().lstrip("-").isdigit()
        if not has_header:
            fh.seek(0)
        for n, line in enumerate(fh):
            parts = line.rstrip("\n").split("\t")
            if len(parts) < 2:
                continue
            t = float(parts[2]) if len(parts) > 2 and parts[2] else float(n)
            sessions.setdefault(parts[0], []).append((t, n, parts[1]))
    keys = sorted(sessions, key=lambda s: (min(e[0] for e in sessions[s]), s))
    items, times = [], []
    for key in keys:
        ev = sorted(sessions[key])
        items.append([e[2] for e in ev])
        times.append([e[0] for e in ev])
    return items, times, keys


def read_user_item(path: str | Path) -> list[list[str]]:
    users: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) >= 2:
                users.setdefault(parts[0], []).append(parts[1])
    return list(users.values())


def read_baskets_csv(path: str | Path, basket_cols: Sequence[str], item_col: str) -> list[list[str]]:
    """Baskets (unique items, first-seen order) grouped by ``basket_cols`` of a CSV file."""
    baskets: dict[tuple[str, ...], list[str]] = {}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        for row in csv.DictReader(fh):
            item = (row.get(item_col) or "").strip()
            if not item or item.upper() == "NONE":
                continue
            key = tuple(row[c] for c in basket_cols)
            b = baskets.setdefault(key, [])
            if item not in b:
                b.append(item)
    return list(baskets.values())


def read_sessions(
    path: str | Path,
    fmt: str = "auto",
    basket_cols: Sequence[str] = (),
    item_col: str = "",
) -> tuple[list[list[str]], list[list[float]] | None]:
    """Sessions (item keys, oldest first) and optional per-event times from a file of any format."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"interactions file not found: {path}")
    fmt = detect_format(path) if fmt == "auto" else fmt
    if fmt == "seq":
        return read_seq(path), None
    if fmt == "events":
        items, times, _ = read_events(path)
        return items, times
    if fmt == "user_item":
        return read_user_item(path), None
    if fmt == "basket_csv":
        if not basket_cols or not item_col:
            raise ValueError("basket_csv needs basket_cols and item_col")
        return read_baskets_csv(path, basket_cols, item_col), None
    raise ValueError(f"unknown format {fmt!r}")


def to_interactions(
    sessions: Sequence[Sequence[str]],
    vocab: Vocab | None = None,
    times: Sequence[Sequence[float]] | None = None,
) -> tuple[Interactions, Vocab]:
    """Encode sessions with ``vocab`` (built from them when None); unknown items are dropped."""
    if vocab is None:
        vocab = Vocab()
        for s in sessions:
            vocab.add_all(s)
    seqs, tss = [], []
    for n, s in enumerate(sessions):
        ids = vocab.encode(s)
        keep = ids >= 0
        seqs.append(ids[keep])
        if times is not None:
            tss.append(np.asarray(times[n], dtype=np.float64)[keep])
    return Interactions.from_sequences(seqs, n_items=len(vocab), timestamps=tss if times is not None else None), vocab
