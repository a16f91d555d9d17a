"""Implementations of ``kkot train reviews`` and ``kkot reviews analyze`` (imported lazily by commands.py)."""

from __future__ import annotations

import argparse
import csv
import sys
import time
from datetime import datetime
from pathlib import Path

from kkot.ml.reviews.data import ReviewTable, TableError, read_table

__all__ = ["train_reviews_main", "analyze_main"]


def _pick_columns(table: ReviewTable, text_col: str | None, star_col: str | None,
                  need_star: bool) -> tuple[str, str | None]:
    text = text_col or table.guess_text_column()
    if text not in table.columns:
        raise TableError(f"text column {text!r} not found; columns are: {', '.join(table.columns)}")
    star = star_col or table.guess_star_column()
    if star is not None and star not in table.columns:
        raise TableError(f"star column {star!r} not found; columns are: {', '.join(table.columns)}")
    if need_star and star is None:
        raise TableError("no star-rating column found: pass --star-col NAME")
    return text, star


def train_reviews_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="kkot train reviews", description=(
        "Adapt the sentiment model to a star-rated review export (CSV/TSV/Excel). 1-2 stars are "
        "negative, 5 stars positive, 3 stars weakly negative, 4 stars unused; the prior "
        "model's knowledge is kept and the export teaches the domain's own words; clauses of reviews "
        "whose clauses disagree add clause-level examples."))
    ap.add_argument("file", type=Path)
    ap.add_argument("--text-col", default=None, help="review text column (default: guessed)")
    ap.add_argument("--star-col", default=None, help="star rating column (default: guessed, e.g. 별점)")
    ap.add_argument("--group-col", default=None, help="product/brand column for out-of-fold calibration")
    ap.add_argument("--out", type=Path, default=Path("kkot_review_model"), help="model directory to write")
    ap.add_argument("--prior", type=Path, default=None, help="prior model directory (default: shipped)")
    ap.add_argument("--three-star-weight", type=float, default=0.5, help="used with --C only")
    ap.add_argument("--C", type=float, default=None,
                    help="fix the residual's inverse L2 strength (default: chosen out-of-fold with the star weights)")
    ap.add_argument("--no-clauses", action="store_true", help="skip clause-level self-labelling")
    ap.add_argument("--seq-features", type=float, default=None,
                    help="scale of the character model's pooled features in the store model (e.g. 0.01; "
                         "default 0: off)")
    ap.add_argument("--seq-finetune", type=int, default=None, metavar="EPOCHS",
                    help="epochs fine-tuning the character model on these reviews (default 3 when torch is "
                         "installed: pip install 'kkot[train]'; 0: off)")
    ap.add_argument("--clauses", dest="no_clauses", action="store_false", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    from kkot.ml.reviews.sentiment import SentimentModel

    try:
        table = read_table(args.file)
        text_col, star_col = _pick_columns(table, args.text_col, args.star_col, need_star=True)
    except TableError as exc:
        print(f"kkot train reviews: {exc}", file=sys.stderr)
        return 2
    assert star_col is not None
    from kkot.ml.reviews.domain import DEFAULT_GRID, StarConfig, adapt_from_stars, parse_star

    group_vals = table.column(args.group_col) if args.group_col else None
    texts, stars, groups = [], [], []
    for i, (t, s) in enumerate(zip(table.column(text_col), table.column(star_col), strict=True)):
        st = parse_star(s)
        if st is None or not t.strip():
            continue
        texts.append(t)
        stars.append(st)
        groups.append(group_vals[i] if group_vals else "")
    n_pos = sum(1 for s in stars if s >= 5)
    n_neg = sum(1 for s in stars if s <= 2)
    n_mid = len(stars) - n_pos - n_neg
    print(f"{args.file.name}: {len(table.rows):,} rows; {n_pos:,} positive (5 stars), {n_neg:,} negative "
          f"(1-2 stars), {n_mid:,} with 3-4 stars (3 stars: weak negatives; 4 stars: unused)")
    if n_pos == 0 or n_neg + n_mid == 0:
        print("kkot train reviews: need both 5-star and 1-4 star reviews", file=sys.stderr)
        return 2
    if n_neg < 20:
        print(f"warning: only {n_neg} negative reviews; the model will lean on the prior", file=sys.stderr)
    t0 = time.time()
    prior = SentimentModel.load(args.prior)
    grid = DEFAULT_GRID if args.C is None else (StarConfig(args.three_star_weight, 0.0, args.C),)
    try:
        model = adapt_from_stars(prior, texts, stars, groups=groups if group_vals else None, grid=grid,
                                 clause_level=not args.no_clauses, seq_features=args.seq_features,
                                 seq_finetune=args.seq_finetune)
    except ValueError as exc:
        print(f"kkot train reviews: {exc}", file=sys.stderr)
        return 2
    model.meta["name"] = f"adapted:{args.file.name}"
    model.meta["data"] = f"{args.file.name} ({text_col}, {star_col})"
    model.save(args.out)
    oof = model.meta.get("out_of_fold", {})
    print(f"out-of-fold balanced acc {oof.get('balanced_acc', float('nan'))} ; "
          f"clause examples {model.meta.get('clause_examples', 0)} ; saved {args.out} in {time.time() - t0:.0f} s")
    print(f"use it: kkot reviews analyze FILE --model {args.out}")
    return 0


def _parse_date(s: str) -> datetime | None:
    s = s.strip()
    for fmt in ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d", "%Y.%m.%d", "%y.%m.%d", "%Y/%m/%d", "%Y-%m-%dT%H:%M:%S"):
        try:
            return datetime.strptime(s[:19], fmt)
        except ValueError:
            continue
    return None


def analyze_main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(prog="kkot reviews analyze", description=(
        "Analyse a review export (CSV/TSV/Excel): per-review sentiment, aspects with polarity and "
        "keywords as CSV, plus an HTML report with charts."))
    ap.add_argument("file", type=Path)
    ap.add_argument("--text-col", default=None, help="review text column (default: guessed)")
    ap.add_argument("--star-col", default=None, help="star rating column (optional)")
    ap.add_argument("--date-col", default=None, help="date column for trend alerts (optional)")
    ap.add_argument("--model", type=Path, default=None, help="model directory (default: shipped)")
    ap.add_argument("--category", default=None, help="fashion (default), food or cosmetics")
    ap.add_argument("--out", type=Path, default=None, help="output directory (default: <file>_analysis)")
    ap.add_argument("--no-progress", action="store_true")
    args = ap.parse_args(argv)

    from tqdm import tqdm

    from kkot.ml.reviews.analyzer import ReviewAnalyzer
    from kkot.ml.reviews.keywords import detect_trends, distinctive_keywords, suggest_reply, summarize
    from kkot.ml.reviews.report import render_report

    try:
        table = read_table(args.file)
        text_col, star_col = _pick_columns(table, args.text_col, args.star_col, need_star=False)
        if args.date_col and args.date_col not in table.columns:
            raise TableError(f"date column {args.date_col!r} not found")
        analyzer = ReviewAnalyzer.load(args.model)
    except (TableError, FileNotFoundError, ValueError) as exc:
        print(f"kkot reviews analyze: {exc}", file=sys.stderr)
        return 2
    texts = table.column(text_col)
    stars = table.column(star_col) if star_col else None
    out = args.out or args.file.with_name(args.file.stem + "_analysis")
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    analyses = []
    batch = 4096
    with tqdm(total=len(texts), unit="review", disable=args.no_progress, desc="analysing") as bar:
        for i in range(0, len(texts), batch):
            analyses.extend(analyzer.analyze(texts[i : i + batch], category=args.category))
            bar.update(min(batch, len(texts) - i))
    elapsed = time.time() - t0
    with open(out / "reviews.csv", "w", encoding="utf-8-sig", newline="") as f:
        w = csv.writer(f)
        w.writerow(["row", "text", "stars", "sentiment", "prob_positive", "aspects", "size_direction",
                    "keywords", "clauses", "status", "message", "reply_suggestion"])
        for i, a in enumerate(analyses):
            aspects = "; ".join(f"{m.aspect}:{m.polarity}" for m in a.aspects)
            dirs = "; ".join(f"{m.aspect}:{m.direction}" for m in a.aspects if m.direction)
            clauses = " | ".join(f"{c.text} [{c.sentiment}]" for c in a.clauses)
            w.writerow([i + 1, texts[i], stars[i] if stars else "", a.sentiment, a.prob, aspects, dirs,
                        ", ".join(a.keywords), clauses, a.status, a.message or "", suggest_reply(a)])
    summary = summarize(analyses)
    neg = [a for a in analyses if a.sentiment == "negative"]
    pos = [a for a in analyses if a.sentiment == "positive"]
    kw_neg = distinctive_keywords(neg, pos, top_k=12) if neg and pos else []
    kw_pos = distinctive_keywords(pos, neg, top_k=12) if neg and pos else []
    trends = None
    if args.date_col:
        dated = [(d, a) for d, a in zip((_parse_date(x) for x in table.column(args.date_col)), analyses,
                                       strict=True) if d is not None]
        trends = detect_trends(dated)
    star_vals: list[float | None] | None = None
    if stars is not None:
        star_vals = []
        for s in stars:
            try:
                star_vals.append(float(s))
            except ValueError:
                star_vals.append(None)
    note = (f"모델: {analyzer.model.meta.get('name', 'sentiment')} · 분석 {elapsed:.1f}초 "
            f"({len(texts) / max(elapsed, 1e-9):,.0f}개/초) · kkot")
    (out / "report.html").write_text(
        render_report(analyses, summary, kw_neg, kw_pos, trends, star_vals, f"리뷰 분석: {args.file.name}", note),
        encoding="utf-8")
    print(f"{len(texts):,} reviews in {elapsed:.1f} s -> {out / 'reviews.csv'}, {out / 'report.html'}")
    return 0
