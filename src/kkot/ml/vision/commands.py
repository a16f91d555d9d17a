"""CLI: ``kkot images check PATH... [--out DIR]`` and ``kkot train vision``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

__all__ = ["check_images", "train"]

IMAGE_SUFFIXES = {".jpg", ".jpeg", ".png", ".webp", ".gif", ".bmp", ".mpo"}


def _collect(paths: list[str]) -> list[Path]:
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(q for q in p.rglob("*") if q.is_file() and q.suffix.lower() in IMAGE_SUFFIXES)
        else:
            out.append(p)
    return out


def check_images(argv: list[str]) -> int:
    """Check product photos before uploading them: writes report.csv and report.html."""
    from kkot.ml.vision.checks import check_images as run_checks
    from kkot.ml.vision.report import write_csv, write_html
    from kkot.ml.vision.text_overlay import text_detector

    ap = argparse.ArgumentParser(
        prog="kkot images check", description="상품 사진을 검사하고 CSV/HTML 보고서를 씁니다."
    )
    ap.add_argument("paths", nargs="+", help="image files or folders")
    ap.add_argument("--out", default="image-check-report", help="output folder (default: %(default)s)")
    ap.add_argument(
        "--not-representative",
        action="store_true",
        help="treat the photos as extra (detail) images: looser resolution/background rules",
    )
    ap.add_argument("--max-mb", type=float, default=20.0, help="file size limit in MB")
    ap.add_argument(
        "--text-detector",
        choices=("auto", "ocr", "heuristic"),
        default="auto",
        help='text/watermark finder: auto = OCR when installed (pip install "kkot[ocr]"), else the heuristic',
    )
    args = ap.parse_args(argv)
    try:
        find_text = text_detector(args.text_detector)
    except RuntimeError as exc:
        print(str(exc), file=sys.stderr)
        return 2
    files = _collect(args.paths)
    if not files:
        print("검사할 이미지가 없습니다.", file=sys.stderr)
        return 2
    reports = run_checks(
        [str(f) for f in files],
        names=[str(f) for f in files],
        representative=not args.not_representative,
        progress=True,
        thumbnail_side=160,
        max_bytes=int(args.max_mb * 1024 * 1024),
        text_detector=find_text,
    )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    csv_path = write_csv(reports, out / "report.csv")
    html_path = write_html(reports, out / "report.html")
    n_fail = sum(r.status == "fail" for r in reports)
    n_warn = sum(r.status == "warn" for r in reports)
    print(f"{len(reports)}장 검사: 실패 {n_fail}, 주의 {n_warn}, 통과 {len(reports) - n_fail - n_warn}")
    print(f"CSV: {csv_path}\nHTML: {html_path}")
    return 1 if n_fail else 0


def train(argv: list[str]) -> int:
    """Train the image embedding CNN on clothing_dataset_small (ship-safe) and export it for numpy."""
    from kkot.ml.vision.data import CLOTHING_CLASSES, load_clothing
    from kkot.ml.vision.embedding import DEFAULT_MODEL_DIR
    from kkot.ml.vision.train import train_cnn

    ap = argparse.ArgumentParser(prog="kkot train vision", description="Train kkot's image embedding CNN.")
    ap.add_argument("--out", default=str(DEFAULT_MODEL_DIR), help="model folder (default: shipped location)")
    ap.add_argument("--epochs", type=int, default=16)
    ap.add_argument("--size", type=int, default=48, help="input size in pixels")
    ap.add_argument("--channels", default="24,48,80,128", help="conv widths c1,c2,c3,c4")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-refit", action="store_true", help="keep the network's own last layer")
    args = ap.parse_args(argv)
    try:
        import torch  # noqa: F401
    except ImportError:
        print("torch is needed for training: pip install 'kkot[train]'", file=sys.stderr)
        return 2
    from kkot.ml.vision.data import square_resize

    src = 64 if args.size <= 56 else 80
    x_tr, y_tr = load_clothing("train", src)
    x_va, y_va = load_clothing("validation", src)
    x_va = np.stack([square_resize(im, args.size) for im in x_va])
    channels = tuple(int(c) for c in args.channels.split(","))
    model = train_cnn(
        x_tr,
        y_tr,
        list(CLOTHING_CLASSES),
        input_size=args.size,
        epochs=args.epochs,
        seed=args.seed,
        val=(x_va, y_va),
        threads=args.threads,
        channels=channels,  # type: ignore[arg-type]
        meta={
            "data": "clothing_dataset_small (CC0): CNN on the train split; last layer refit on train + validation",
            "epochs": args.epochs,
            "seed": args.seed,
        },
    )
    if not args.no_refit:  # last layer: logistic regression on train + validation, C by cross-validation
        from kkot.ml.vision.train import refit_classifier

        x_va_src, y_va_src = load_clothing("validation", src)
        refit_classifier(model, np.concatenate([x_tr, x_va_src]), np.concatenate([y_tr, y_va_src]))
    x_te, y_te = load_clothing("test", src)
    acc = float((model.predict_proba(x_te).argmax(1) == y_te).mean())
    model.meta["clothing_test_top1"] = round(acc, 4)
    model.save(args.out)
    from kkot.ml.vision.features import HogProjector

    HogProjector().fit(load_clothing("train", 64)[0]).save(Path(args.out) / "hog_pca.npz")
    print(f"clothing test top-1 {acc:.3f}; saved to {args.out}")
    return 0
