"""``kkot train recs``: train a recommender from an interactions file and write a model directory.

    kkot train recs INTERACTIONS --out DIR [--model blend] [--format auto]
                    [--basket-cols Member_number,Date --item-col itemDescription] [--texts ITEMS.tsv]

The model directory holds ``meta.json`` + ``arrays.npz`` (see :mod:`kkot.ml.recs.base`) and
``items.json``: the item keys in dense-id order, so the platform maps product ids to model ids.
Load it back with :func:`kkot.ml.recs.load_model` and :func:`load_item_keys`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from kkot.ml.recs.base import BaseRecommender
from kkot.ml.recs.content import ContentSimilarity
from kkot.ml.recs.data import read_sessions, to_interactions
from kkot.ml.recs.mf import ImplicitMF
from kkot.ml.recs.presets import session_blend, slist_tuned, stan_tuned
from kkot.ml.recs.rules import AssociationRules
from kkot.ml.recs.simple import PopularityRecommender, TransitionRecommender
from kkot.ml.recs.sknn import SessionKNN

ITEMS_FILE = "items.json"

MODELS: dict[str, Callable[[bool], BaseRecommender]] = {
    "blend": lambda timed: session_blend(lambda_time=7 * 86_400.0 if timed else 2e5),
    "stan": lambda timed: stan_tuned(lambda_time=7 * 86_400.0 if timed else 2e5),
    "slist": lambda timed: slist_tuned(),
    "vsknn": lambda timed: SessionKNN.vsknn(),
    "sknn": lambda timed: SessionKNN.sknn(),
    "transitions": lambda timed: TransitionRecommender(window=5, backward=0.5),
    "popular": lambda timed: PopularityRecommender(half_life=7 * 86_400.0 if timed else None),
    "mf": lambda timed: ImplicitMF(),
    "rules": lambda timed: AssociationRules(min_count=2),
    "content": lambda timed: ContentSimilarity(),
}


def load_item_keys(model_dir: str | Path) -> list[str]:
    return list(json.loads((Path(model_dir) / ITEMS_FILE).read_text(encoding="utf-8")))


def read_texts(path: Path) -> dict[str, str]:
    """``item_key<TAB>text`` lines (title, tags and attributes joined by spaces)."""
    out: dict[str, str] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            if "\t" in line:
                key, text = line.rstrip("\n").split("\t", 1)
                out[key.strip()] = text
    return out


def train(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="kkot train recs", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("interactions", type=Path, help="interactions file (seq, events TSV, user-item, basket CSV)")
    ap.add_argument("--out", type=Path, required=True, help="model directory to write")
    ap.add_argument("--model", choices=sorted(MODELS), default="blend")
    ap.add_argument("--format", default="auto", choices=["auto", "seq", "events", "user_item", "basket_csv"])
    ap.add_argument("--basket-cols", default="", help="comma-separated basket columns (basket_csv)")
    ap.add_argument("--item-col", default="", help="item column (basket_csv)")
    ap.add_argument("--texts", type=Path, default=None, help="item_key<TAB>text file (content model)")
    args = ap.parse_args(argv)
    try:
        t0 = time.perf_counter()
        print(f"reading {args.interactions} ...", file=sys.stderr)
        cols = [c for c in args.basket_cols.split(",") if c]
        sessions, times = read_sessions(args.interactions, args.format, cols, args.item_col)
        inter, vocab = to_interactions(sessions, times=times)
        if args.texts is not None:
            texts = read_texts(args.texts)
            vocab.add_all(texts)
            inter, vocab = to_interactions(sessions, vocab=vocab, times=times)
            inter = type(inter)(inter.indptr, inter.items, inter.n_items, inter.timestamps, None,
                                [texts.get(k, "") for k in vocab.keys])
        elif args.model == "content":
            print("error: the content model needs --texts", file=sys.stderr)
            return 2
        print(f"{inter.n_sessions:,} sessions, {inter.n_items:,} items, {inter.items.size:,} events; "
              f"fitting {args.model} ...", file=sys.stderr)
        model = MODELS[args.model](inter.timestamps is not None).fit(inter)
        model.save(args.out)
        (args.out / ITEMS_FILE).write_text(json.dumps(vocab.keys, ensure_ascii=False), encoding="utf-8")
    except (FileNotFoundError, ValueError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out} in {time.perf_counter() - t0:.1f}s", file=sys.stderr)
    report = getattr(model, "valid_report", None)
    if report:
        print(f"validation: {report}", file=sys.stderr)
    return 0
