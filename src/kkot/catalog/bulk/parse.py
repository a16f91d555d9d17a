"""Reading a product sheet: its header against the template's columns, every cell converted to its typed value,
and the rows grouped by product code. Bad cells are collected in :class:`SheetErrors`, never raised one by one."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from kkot.catalog.bulk import cells
from kkot.catalog.bulk.cells import CellError, is_blank
from kkot.catalog.bulk.columns import (
    ATTR_PREFIX,
    C_CODE,
    C_DELTA,
    C_STOCK,
    COMMENT_PREFIX,
    FIXED,
    NOTICE_PREFIX,
    OPTION_VALUE_COLS,
    REQUIRED,
)
from kkot.catalog.models import AttributeDefinition, Category
from kkot.catalog.seed import NOTICE_GROUPS
from kkot.core.errors import SheetErrors

Rows = list[tuple[int, dict[str, Any]]]  # [(sheet row number, {header: typed value or None})]


@dataclass
class ColumnSpec:
    header: str
    index: int
    kind: str  # fixed | attr | notice
    column: Any = None  # Column for fixed
    attr: AttributeDefinition | None = None


class CatalogLookup:
    """Categories, attributes and notice fields loaded once per import."""

    def __init__(self) -> None:
        cats = list(Category.objects.filter(is_active=True))
        by_id = {c.pk: c for c in cats}
        self.by_slug = {c.slug: c for c in cats}
        self.by_path: dict[str, Category] = {}
        for c in cats:
            chain = [by_id.get(i) for i in c.ancestor_ids]
            if chain and all(chain):
                self.by_path[">".join(x.name for x in chain)] = c
        self.attrs: dict[str, AttributeDefinition] = {}
        for d in AttributeDefinition.objects.all():
            self.attrs.setdefault(d.code, d)
        for d in AttributeDefinition.objects.all():
            self.attrs[d.name] = d  # the Korean name wins over a code spelled the same
        self.notice_fields = {f for g in NOTICE_GROUPS.values() for f in g["fields"]}

    def category(self, value: Any) -> Category:
        text = cells.as_text(value)
        cat = self.by_slug.get(text) or self.by_path.get(">".join(p.strip() for p in text.split(">")))
        if cat is None:
            raise CellError(
                _(
                    "카테고리를 찾을 수 없습니다: %(v)s (소분류 코드 예: w-tshirt, 또는 경로 예: 패션의류>여성의류>티셔츠)"
                )
                % {"v": text}
            )
        if cat.level != 3:
            raise CellError(_("가장 아래 단계(소분류) 카테고리를 입력해 주세요: %(v)s") % {"v": text})
        return cat


class SheetParser:
    def __init__(self, catalog: CatalogLookup, kind: str) -> None:
        self.catalog = catalog
        self.csv = kind == "csv"
        self.errors = SheetErrors()
        self.specs: list[ColumnSpec] = []
        self.present: set[str] = set()
        # rows with a cell that could not be read: their product is not validated
        self.bad_rows: set[int] = set()
        self.blank_header_cols: list[int] = []

    # -- header --------------------------------------------------------------------------------------------
    def read_header(self, header: list[str]) -> None:
        seen: dict[str, int] = {}
        for i, h in enumerate(header):
            if not h:
                continue
            if h in seen:
                self.errors.add(1, h, _("같은 이름의 열이 두 번 있습니다."))
                continue
            seen[h] = i
            if h in FIXED:
                self.specs.append(ColumnSpec(h, i, "fixed", column=FIXED[h]))
            elif h.startswith(ATTR_PREFIX) and h[len(ATTR_PREFIX) :].strip() in self.catalog.attrs:
                self.specs.append(
                    ColumnSpec(h, i, "attr", attr=self.catalog.attrs[h[len(ATTR_PREFIX) :].strip()])
                )
            elif (
                h.startswith(NOTICE_PREFIX) and h[len(NOTICE_PREFIX) :].strip() in self.catalog.notice_fields
            ):
                self.specs.append(ColumnSpec(h, i, "notice"))
            else:
                self.errors.add(1, h, _("알 수 없는 열입니다. 양식의 머리글을 바꾸지 말아 주세요."))
        for name in REQUIRED:
            if name not in seen:
                self.errors.add(1, name, _("필수 열이 없습니다: %(c)s") % {"c": name})
        self.present = {s.header for s in self.specs}
        self.blank_header_cols = [i for i, h in enumerate(header) if not h]

    # -- cells ---------------------------------------------------------------------------------------------
    def convert(self, spec: ColumnSpec, raw: Any) -> Any:
        if spec.kind == "attr":
            text = cells.as_text(raw, csv_escape=self.csv)
            return cells.split_list(text) if spec.attr.kind == "multi" else text
        if spec.kind == "notice":
            return cells.as_text(raw, csv_escape=self.csv)
        kind = spec.column.kind
        if kind == "text":
            text = cells.as_text(raw, csv_escape=self.csv)
            if spec.header in OPTION_VALUE_COLS:
                text = " ".join(text.split())
                if len(text) > 30:
                    raise CellError(_("옵션 값은 30자 이내로 입력해 주세요."))
            return text
        if kind == "html":
            return cells.as_text(raw, strip=False, csv_escape=self.csv)
        if kind == "money":
            return cells.as_money(raw, allow_negative=spec.header == C_DELTA)
        if kind == "int":
            value = cells.as_int(raw)
            if spec.header == C_STOCK and value < 0:
                raise CellError(_("재고는 0 이상의 정수로 입력해 주세요."))
            return value
        if kind == "datetime":
            return cells.as_datetime(raw)
        if kind == "bool":
            return cells.as_bool(raw)
        if kind == "status":
            return cells.as_status(raw)
        if kind == "category":
            return self.catalog.category(raw)
        if kind == "tags":
            return cells.split_list(cells.as_text(raw, csv_escape=self.csv))
        raise AssertionError(kind)

    def read_rows(self, rows) -> dict[str, Rows]:
        groups: dict[str, Rows] = {}
        code_spec = next((s for s in self.specs if s.header == C_CODE), None)
        for n, values in rows:
            code = (
                ""
                if is_blank(values[code_spec.index])
                else cells.as_text(values[code_spec.index], csv_escape=self.csv)
            )
            if code.startswith(COMMENT_PREFIX):
                continue
            if not code:
                self.errors.add(n, C_CODE, _("상품코드를 입력해 주세요."))
            elif len(code) > 40:
                self.errors.add(n, C_CODE, _("상품코드는 40자 이내로 입력해 주세요."))
            for i in self.blank_header_cols:
                if not is_blank(values[i]):
                    self.errors.add(n, _("(머리글 없는 열)"), _("머리글이 없는 열에 값이 있습니다."))
                    break
            row: dict[str, Any] = {}
            for spec in self.specs:
                raw = values[spec.index]
                if spec is code_spec or is_blank(raw):
                    row[spec.header] = None
                    continue
                try:
                    row[spec.header] = self.convert(spec, raw)
                except CellError as exc:
                    self.errors.add(n, spec.header, str(exc))
                    self.bad_rows.add(n)
                    row[spec.header] = None
            if code and len(code) <= 40:
                groups.setdefault(code, []).append((n, row))
        return groups
