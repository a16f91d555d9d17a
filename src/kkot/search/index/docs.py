"""Documents for the search index: what is indexed for each product, loaded from the DB in chunks."""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection

from kkot.catalog.models import Category, Product
from kkot.catalog.selectors import VISIBLE_STATUSES
from kkot.search import analysis

log = logging.getLogger("kkot.search")


SCHEMA = 1  # bump when the analysis or the stored layout changes: saved indexes are then rebuilt
NAME = "n:"  # name+brand field terms
NAME_BG = "n~"  # name+brand field bigrams
BODY_BG = "~"  # tags, category and attribute bigrams (body terms carry no prefix)
DESC_CHARS = 300
NAME_BOOST = 2.5
SYNONYM_WEIGHT = 0.8
BIGRAM_WEIGHT = 0.3
PRIOR_WEIGHT = 0.2
MARGIN_US = 300 * 1_000_000  # re-read products changed up to 5 min before the watermark (open transactions)
ATTR_SEP = "\x1f"

_COLUMNS = {
    "pid": np.int64,
    "updated_us": np.int64,
    "store": np.int64,
    "c1": np.int64,
    "c2": np.int64,
    "c3": np.int64,
    "price": np.float64,
    "sale": np.float64,
    "sale_from": np.float64,
    "sale_to": np.float64,
    "on_sale": np.bool_,
    "stock": np.int64,
    "popularity": np.float64,
    "sales": np.int64,
    "reviews": np.int64,
    "created_us": np.int64,
    "prior_raw": np.float64,
}


def _us(dt: datetime | None) -> int:
    return int(round(dt.timestamp() * 1_000_000)) if dt else 0


def _ts(dt: datetime | None, default: float) -> float:
    return dt.timestamp() if dt else default


def search_dir() -> Path:
    return Path(getattr(settings, "KKOT_SEARCH_DIR", None) or (Path(settings.VAR_DIR) / "search"))


def db_fingerprint() -> str:
    s = connection.settings_dict
    return f"{connection.vendor}:{s.get('HOST') or ''}:{s.get('PORT') or ''}:{s.get('NAME')}"


# ---------------------------------------------------------------- documents


@dataclass
class Doc:
    pid: int
    tokens: list[str]
    cols: dict[str, float | int | bool]
    attrs: list[str]


def _category_info() -> dict[int, tuple[list[int], str]]:
    """category id -> (ids from the root, names from the root joined)."""
    cats = {c.pk: c for c in Category.objects.only("pk", "name", "path")}
    out = {}
    for pk, c in cats.items():
        ids = c.ancestor_ids or [pk]
        out[pk] = (ids, " ".join(cats[i].name for i in ids if i in cats))
    return out


_DOC_FIELDS = (
    "pk",
    "name",
    "brand",
    "description_html",
    "category_id",
    "store_id",
    "price",
    "sale_price",
    "sale_starts_at",
    "sale_ends_at",
    "status",
    "stock_total",
    "popularity",
    "sales_count",
    "review_count",
    "created_at",
    "updated_at",
    "attributes",
)


def load_docs(product_ids: list[int] | None = None, *, chunk: int = 5000) -> list[Doc]:
    """Searchable documents of visible products (all, or those of ``product_ids``), in id order."""
    qs = Product.objects.filter(status__in=VISIBLE_STATUSES)
    if product_ids is not None:
        qs = qs.filter(pk__in=product_ids)
    rows = list(qs.order_by("pk").values_list(*_DOC_FIELDS))
    if not rows:
        return []
    tags: dict[int, list[str]] = {}
    through = Product.tags.through.objects.all()
    if product_ids is not None:
        through = through.filter(product_id__in=product_ids)
    for pid, name in through.values_list("product_id", "tag__name"):
        tags.setdefault(pid, []).append(name)
    cats = _category_info()
    docs = []
    for start in range(0, len(rows), chunk):
        part = rows[start : start + chunk]
        names = analysis.analyze_fields([f"{r[1]} {r[2]}" for r in part], with_bigrams=True)
        attr_texts, attr_lists = [], []
        for r in part:
            pairs = []
            for code, value in (r[17] or {}).items():
                for v in value if isinstance(value, list) else [value]:
                    if v not in (None, ""):
                        pairs.append(f"{code}{ATTR_SEP}{str(v)[:100]}")
            attr_lists.append(sorted(set(pairs)))
            cat_names = cats.get(r[4], ([], ""))[1]
            values = " ".join(p.split(ATTR_SEP, 1)[1] for p in pairs)
            attr_texts.append(" ".join([*tags.get(r[0], []), cat_names, values]))
        bodies = analysis.analyze_fields(attr_texts, with_bigrams=True)
        descs = analysis.analyze_fields(
            [analysis.html_to_text(r[3])[:DESC_CHARS] for r in part], with_bigrams=False
        )
        for r, nm, body, desc, attrs in zip(part, names, bodies, descs, attr_lists, strict=True):
            tokens = [NAME + t for t in nm.terms] + [NAME_BG + b for b in nm.bigrams]
            tokens += body.terms + [BODY_BG + b for b in body.bigrams] + desc.terms
            ids = cats.get(r[4], ([r[4]], ""))[0]
            levels = [*ids, 0, 0, 0][:3]
            popularity, sales = float(r[12] or 0.0), int(r[13] or 0)
            cols = {
                "pid": r[0],
                "updated_us": _us(r[16]),
                "store": r[5],
                "c1": levels[0],
                "c2": levels[1],
                "c3": levels[2],
                "price": float(r[6]),
                "sale": float(r[7]) if r[7] is not None else math.nan,
                "sale_from": _ts(r[8], -math.inf),
                "sale_to": _ts(r[9], math.inf),
                "on_sale": r[10] == Product.Status.ON_SALE,
                "stock": int(r[11]),
                "popularity": popularity,
                "sales": sales,
                "reviews": int(r[14]),
                "created_us": _us(r[15]),
                "prior_raw": math.log1p(max(popularity, 0.0)) + math.log1p(max(sales, 0)),
            }
            docs.append(Doc(pid=r[0], tokens=tokens or [""], cols=cols, attrs=attrs))
    return docs
