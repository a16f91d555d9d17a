"""Readers for review tables (CSV/TSV/Excel exports) and for the public datasets used in training/benchmarks.

Dataset files are read from ``../shared/datasets`` through :func:`kkot.ml.datasets.dataset_dir`; nothing
here copies them.
"""

from __future__ import annotations

import csv
import gzip
import io
import random
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from kkot.ml.datasets import dataset_dir

__all__ = [
    "ReviewTable",
    "read_table",
    "nsmc_rows",
    "nsmc_binary",
    "musinsa_reviews",
    "food_absa",
    "star_label",
    "MusinsaReview",
]

csv.field_size_limit(10_000_000)


class TableError(ValueError):
    """A review export that cannot be read (unknown format, missing column, ...): message is user-facing."""


@dataclass
class ReviewTable:
    """A review export read into memory: column names and rows of strings."""

    columns: list[str]
    rows: list[list[str]]

    def column(self, name: str) -> list[str]:
        """Values of column ``name`` (missing cells give ``""``)."""
        if name not in self.columns:
            raise TableError(f"column {name!r} not found; columns are: {', '.join(self.columns)}")
        i = self.columns.index(name)
        return [r[i] if i < len(r) else "" for r in self.rows]

    def guess_text_column(self) -> str:
        """The column whose name looks like review text, else the column with the longest average value."""
        for cand in ("review", "text", "content", "리뷰", "내용", "리뷰내용", "본문", "document", "comment"):
            for c in self.columns:
                if c.strip().lower() == cand:
                    return c
        if not self.columns:
            raise TableError("the file has no columns")
        sample = self.rows[:500]
        lengths = [
            sum(len(r[i]) if i < len(r) else 0 for r in sample) for i in range(len(self.columns))
        ]
        return self.columns[max(range(len(self.columns)), key=lambda i: lengths[i])]

    def guess_star_column(self) -> str | None:
        """The column named like a star rating (별점, 평점, rating, stars, score), if any."""
        for c in self.columns:
            if c.strip().lower() in {"별점", "평점", "rating", "stars", "star", "score", "점수"}:
                return c
        return None


def read_table(path: str | Path, sheet: str | None = None) -> ReviewTable:
    """Read a CSV, TSV or Excel (.xlsx) file with a header row.

    The delimiter is taken from the suffix (``.tsv``/``.tab`` -> tab) or sniffed; UTF-8 (with or
    without BOM) and CP949 are tried for text files. Raises :class:`TableError` with a clear message.
    """
    p = Path(path)
    if not p.exists():
        raise TableError(f"file not found: {p}")
    suffix = "".join(s for s in p.suffixes[-2:]).lower()
    if suffix.endswith((".xlsx", ".xlsm")):
        return _read_excel(p, sheet)
    if suffix.endswith(".xls"):
        raise TableError("old .xls files are not supported: save the sheet as .xlsx or CSV")
    raw = gzip.open(p, "rb").read() if suffix.endswith(".gz") else p.read_bytes()
    for enc in ("utf-8-sig", "cp949"):
        try:
            text = raw.decode(enc)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise TableError(f"{p.name}: not UTF-8 or CP949 text")
    if ".tsv" in suffix or ".tab" in suffix:
        delim = "\t"
    elif ".csv" in suffix:
        delim = ","
    else:
        head = text[:5000]
        delim = "\t" if head.count("\t") > head.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delim)
    rows = [r for r in reader if r]
    if not rows:
        raise TableError(f"{p.name}: the file is empty")
    return ReviewTable([c.strip() for c in rows[0]], rows[1:])


def _read_excel(p: Path, sheet: str | None) -> ReviewTable:
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover
        raise TableError("reading Excel needs openpyxl (pip install openpyxl)") from exc
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except Exception as exc:
        raise TableError(f"{p.name}: not a readable Excel file ({exc})") from exc
    ws = wb[sheet] if sheet else wb.worksheets[0]
    it = ws.iter_rows(values_only=True)
    try:
        header = next(it)
    except StopIteration:
        raise TableError(f"{p.name}: the sheet is empty") from None
    cols = ["" if h is None else str(h).strip() for h in header]
    rows = [["" if v is None else str(v) for v in r] for r in it if r and any(v is not None for v in r)]
    wb.close()
    return ReviewTable(cols, rows)


def star_label(value: str | float | int | None, neg_max: float = 2, pos_min: float = 5) -> int | None:
    """Weak label from a 1-5 star rating: 0 (<= ``neg_max``), 1 (>= ``pos_min``), None otherwise/unparsable.

    Ratings on a 10-point scale (values above 5) are halved first; 0 means "no rating".
    """
    try:
        s = float(str(value).strip().replace("점", ""))
    except (TypeError, ValueError):
        return None
    if s != s or s <= 0:
        return None
    if s > 5:
        s = s / 2
    if s <= neg_max:
        return 0
    if s >= pos_min:
        return 1
    return None


# --- public datasets ----------------------------------------------------------------------------


def nsmc_rows() -> Iterator[tuple[int, int, str]]:
    """Yield ``(movie_id, rating, review)`` from ``nsmc_raw`` (ship-safe, CC0)."""
    path = dataset_dir("nsmc_raw") / "nsmc_raw_all.tsv.gz"
    with gzip.open(path, "rt", encoding="utf-8", newline="") as f:
        reader = csv.reader(f, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader, None)
        for r in reader:
            if len(r) < 6:
                continue
            try:
                yield int(r[1]), int(r[2]), r[5]
            except ValueError:
                continue


def nsmc_binary(
    test_sample: bool = True, seed: int = 0, validation: bool = False
) -> tuple[list[str], list[int], list[str], list[int]]:
    """NSMC binary split used across kkot: 1-4 negative, 9-10 positive; test = ``movie_id % 10 == 0``.

    Returns ``(train_texts, train_labels, test_texts, test_labels)``. With ``test_sample`` the test split
    is a balanced sample (all of the minority class, the same number of the majority class drawn with
    ``random.Random(seed)``), shuffled with the same generator. With ``validation`` the "test" returned is
    instead the validation split ``movie_id % 10 == 1`` (removed from training; used for all tuning) and
    the real test split is not read at all.
    """
    tr_x: list[str] = []
    tr_y: list[int] = []
    te: list[tuple[str, int]] = []
    seen: set[str] = set()
    for movie, rating, text in nsmc_rows():
        if 5 <= rating <= 8 or not text.strip():
            continue
        y = 1 if rating >= 9 else 0
        if movie % 10 == (1 if validation else 0):
            te.append((text, y))
        elif validation and movie % 10 == 0:
            continue
        else:
            key = text.strip()
            if key in seen:
                continue
            seen.add(key)
            tr_x.append(text)
            tr_y.append(y)
    if test_sample:
        rng = random.Random(seed)
        pos = [t for t in te if t[1] == 1]
        neg = [t for t in te if t[1] == 0]
        n = min(len(pos), len(neg))
        te = rng.sample(pos, n) + rng.sample(neg, n)
        rng.shuffle(te)
    return tr_x, tr_y, [t[0] for t in te], [t[1] for t in te]


@dataclass(frozen=True)
class MusinsaReview:
    """One review of ``musinsa_denim_reviews_3brands`` (internal evaluation only)."""

    brand: str
    row: int  # 0-based data row within the brand's CSV file
    product: str
    text: str
    stars: int
    date: str


MUSINSA_BRANDS: tuple[str, ...] = ("무신사스탠다드", "브랜디드", "토피")


def musinsa_reviews() -> list[MusinsaReview]:
    """All Musinsa denim reviews (file order per brand; ``row`` indexes the data rows of that file)."""
    out: list[MusinsaReview] = []
    root = dataset_dir("musinsa_denim_reviews_3brands")
    for brand in MUSINSA_BRANDS:
        with open(root / f"{brand}_reviews.csv", encoding="utf-8-sig", newline="") as f:
            reader = csv.reader(f)
            next(reader, None)
            for i, r in enumerate(reader):
                if len(r) < 5:
                    continue
                try:
                    stars = int(float(r[3]))
                except ValueError:
                    stars = 0
                out.append(MusinsaReview(r[0], i, r[1], r[2], stars, r[4]))
    return out


def food_absa(split: str) -> list[tuple[str, str, str, int]]:
    """``korean_food_absa_ksc2021`` records as ``(sentence_with_$T$, aspect_term, aspect, polarity)``.

    The aspect term in the data is the aspect name itself (가격, 맛, 배달, 서비스, 양); the sentence keeps
    the ``$T$`` placeholder. ``split`` is ``"train"`` or ``"test"``. Polarity is -1, 0 or 1.
    """
    name = {"train": "food_review_Train.xml.seg", "test": "food_review_Test.xml.seg"}[split]
    lines = (dataset_dir("korean_food_absa_ksc2021") / name).read_text(encoding="utf-8").splitlines()
    out = []
    for i in range(0, len(lines) - 2, 3):
        sent, aspect, pol = lines[i], lines[i + 1].strip(), lines[i + 2].strip()
        try:
            out.append((sent, aspect, aspect, int(pol)))
        except ValueError:
            continue
    return out
