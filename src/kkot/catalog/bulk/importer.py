"""Bulk product import: parse every row, validate every product with the editor's rules, then write in bulk.

All or nothing: every bad cell of the whole sheet is collected first and reported together
(``ValidationError(code="sheet_invalid", details=[{"row", "column", "message"}, ...])``); nothing is written
unless the whole sheet is valid, and the writes run in one transaction.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.catalog.bulk import cells
from kkot.catalog.bulk.cells import CellError, is_blank
from kkot.catalog.bulk.columns import (
    ATTR_PREFIX,
    C_ACTIVE,
    C_CATEGORY,
    C_CODE,
    C_DELTA,
    C_NAME,
    C_PRICE,
    C_SKU,
    C_STOCK,
    COMMENT_PREFIX,
    FIELD_COLUMNS,
    FIXED,
    NOTICE_PREFIX,
    OPTION_NAME_COLS,
    OPTION_VALUE_COLS,
    REQUIRED,
    VARIANT_COLUMNS,
)
from kkot.catalog.bulk.reader import data_rows, open_sheet
from kkot.catalog.bulk.writer import Plan, write_plans
from kkot.catalog.models import AttributeDefinition, Category, Product
from kkot.catalog.seed import NOTICE_GROUPS
from kkot.catalog.services import (
    OptionInput,
    ProductInput,
    VariantInput,
    product_input_from_instance,
    product_validate,
)
from kkot.core.errors import Conflict, SheetErrors, ValidationError
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

MAX_REPORTED_ERRORS = 1000
CHUNK = 900

# Product-level column -> ProductInput field, and the value a blank cell means.
INPUT_FIELDS: dict[str, tuple[str, Any]] = {
    C_NAME: ("name", ""), C_CATEGORY: ("category_id", None), C_PRICE: ("price", None),
    "할인가": ("sale_price", None), "할인시작": ("sale_starts_at", None), "할인종료": ("sale_ends_at", None),
    "판매상태": ("status", Product.Status.ON_SALE), "브랜드": ("brand", ""), "상세설명(HTML)": ("description_html", ""),
    "태그": ("tags", []), "배송비": ("shipping_fee", None), "묶음배송": ("bundle_shipping", True),
    "출고소요일": ("dispatch_days", 2), "주문제작": ("made_to_order", False), "냉장냉동": ("cold_chain", False),
}


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    variants_created: int = 0
    variants_updated: int = 0
    variants_deleted: int = 0
    rows: int = 0
    format: str = ""

    @property
    def variants(self) -> int:
        """Variants created or changed."""
        return self.variants_created + self.variants_updated

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass
class _Spec:
    header: str
    index: int
    kind: str  # fixed | attr | notice
    column: Any = None  # Column for fixed
    attr: AttributeDefinition | None = None


class _Catalog:
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
            raise CellError(_("카테고리를 찾을 수 없습니다: %(v)s (소분류 코드 예: w-tshirt, 또는 경로 예: 패션의류>여성의류>티셔츠)")
                            % {"v": text})
        if cat.level != 3:
            raise CellError(_("가장 아래 단계(소분류) 카테고리를 입력해 주세요: %(v)s") % {"v": text})
        return cat


class _Importer:
    def __init__(self, store: Store, catalog: _Catalog, kind: str) -> None:
        self.store = store
        self.catalog = catalog
        self.csv = kind == "csv"
        self.errors = SheetErrors()
        self.specs: list[_Spec] = []
        self.present: set[str] = set()
        self.rules_cache: dict = {}
        self.bad_rows: set[int] = set()  # rows with a cell that could not be read: their product is not validated

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
                self.specs.append(_Spec(h, i, "fixed", column=FIXED[h]))
            elif h.startswith(ATTR_PREFIX) and h[len(ATTR_PREFIX):].strip() in self.catalog.attrs:
                self.specs.append(_Spec(h, i, "attr", attr=self.catalog.attrs[h[len(ATTR_PREFIX):].strip()]))
            elif h.startswith(NOTICE_PREFIX) and h[len(NOTICE_PREFIX):].strip() in self.catalog.notice_fields:
                self.specs.append(_Spec(h, i, "notice"))
            else:
                self.errors.add(1, h, _("알 수 없는 열입니다. 양식의 머리글을 바꾸지 말아 주세요."))
        for name in REQUIRED:
            if name not in seen:
                self.errors.add(1, name, _("필수 열이 없습니다: %(c)s") % {"c": name})
        self.present = {s.header for s in self.specs}
        self.blank_header_cols = [i for i, h in enumerate(header) if not h]

    # -- cells ---------------------------------------------------------------------------------------------
    def convert(self, spec: _Spec, raw: Any) -> Any:
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

    def read_rows(self, rows) -> dict[str, list[tuple[int, dict[str, Any]]]]:
        groups: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        code_spec = next((s for s in self.specs if s.header == C_CODE), None)
        for n, values in rows:
            code = "" if is_blank(values[code_spec.index]) else cells.as_text(values[code_spec.index], csv_escape=self.csv)
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

    # -- one product ---------------------------------------------------------------------------------------
    def product_values(self, code: str, rows: list[tuple[int, dict[str, Any]]]) -> dict[str, Any]:
        """Product-level values: the non-blank cells of a column must agree across the product's rows."""
        out: dict[str, Any] = {}
        for spec in self.specs:
            if spec.kind == "fixed" and (spec.column.level != "product" or spec.header == C_CODE):
                continue
            first_row = None
            for n, row in rows:
                v = row[spec.header]
                if v is None:
                    continue
                if first_row is None:
                    out[spec.header], first_row = v, n
                elif v != out[spec.header]:
                    self.errors.add(n, spec.header, _("같은 상품코드(%(c)s)의 %(r)d행과 값이 다릅니다. 한 상품의 행에는 상품 정보를 "
                                                      "똑같이 입력해 주세요.") % {"c": code, "r": first_row})
        return out

    def build_input(self, code: str, rows, existing: Product | None) -> ProductInput | None:
        n_errors = len(self.errors.errors)
        bad_cells = any(n in self.bad_rows for n, _row in rows)
        pv = self.product_values(code, rows)
        first = rows[0][0]
        base = product_input_from_instance(existing) if existing else ProductInput(name="", category_id=0, price="")
        changes: dict[str, Any] = {"code": code}
        for header, (fname, blank) in INPUT_FIELDS.items():
            if header not in self.present:
                continue
            value = pv.get(header)
            if value is None and header in REQUIRED and not bad_cells:
                self.errors.add(first, header, _("%(c)s 값을 입력해 주세요.") % {"c": header})
            if header == C_CATEGORY and value is not None:
                value = value.pk
            changes[fname] = blank if value is None else value
        attributes, notice = dict(base.attributes), dict(base.notice)
        for spec in self.specs:
            target, key = ((attributes, spec.attr.code) if spec.kind == "attr"
                           else (notice, spec.header[len(NOTICE_PREFIX):].strip()) if spec.kind == "notice" else (None, None))
            if target is None:
                continue
            if pv.get(spec.header) is None:
                target.pop(key, None)
            else:
                target[key] = pv[spec.header]
        changes["attributes"], changes["notice"] = attributes, notice
        if any(h in self.present for h in (*OPTION_NAME_COLS, *VARIANT_COLUMNS)):
            changes["options"], changes["variants"] = self.variants(code, rows, pv, base, changes.get("price"))
        if bad_cells or len(self.errors.errors) > n_errors:
            return None
        return dataclasses.replace(base, **changes)

    def variants(self, code, rows, pv, base: ProductInput, price) -> tuple[list[OptionInput], list[VariantInput]]:
        names = [pv.get(h) or "" for h in OPTION_NAME_COLS]
        first = rows[0][0]
        for i in range(1, 3):
            if names[i] and not names[i - 1]:
                self.errors.add(first, OPTION_NAME_COLS[i], _("옵션은 옵션1명부터 차례로 입력해 주세요."))
        used = [i for i in range(3) if names[i]]
        options = [OptionInput(names[i], []) for i in used]
        old = {" / ".join(v.option_values.get(o.name, "") for o in base.options): v for v in base.variants}
        seen_combo: dict[tuple, int] = {}
        seen_sku: dict[str, int] = {}
        out: list[VariantInput] = []
        for n, row in rows:
            combo = []
            for i in range(3):
                col = OPTION_VALUE_COLS[i]
                value = row.get(col)
                if names[i] and not value:
                    self.errors.add(n, col, _("옵션 '%(o)s'의 값을 입력해 주세요.") % {"o": names[i]})
                elif value and not names[i]:
                    self.errors.add(n, col, _("옵션%(i)d명이 비어 있는데 값이 있습니다.") % {"i": i + 1})
                if names[i]:
                    combo.append(value or "")
            key = tuple(combo)
            if key in seen_combo:
                col = OPTION_VALUE_COLS[used[-1]] if used else C_CODE
                msg = (_("같은 옵션 조합이 %(r)d행에 이미 있습니다.") if used
                       else _("옵션이 없는 상품은 한 행만 입력합니다(%(r)d행과 같은 상품코드)."))
                self.errors.add(n, col, msg % {"r": seen_combo[key]})
                continue
            seen_combo[key] = n
            for opt, value in zip(options, combo, strict=True):
                if value and value not in opt.values:
                    opt.values.append(value)
            prev = old.get(" / ".join(combo))
            sku = row.get(C_SKU) if C_SKU in self.present else (prev.sku if prev else "")
            if sku:
                if sku in seen_sku:
                    self.errors.add(n, C_SKU, _("SKU가 %(r)d행과 같습니다. 상품 안에서 SKU는 달라야 합니다.") % {"r": seen_sku[sku]})
                seen_sku.setdefault(sku, n)
            delta = row.get(C_DELTA) if C_DELTA in self.present else (prev.price_delta if prev else 0)
            delta = delta or 0
            if price not in (None, "") and not isinstance(price, str) and price + delta <= 0:
                self.errors.add(n, C_DELTA, _("옵션 추가금액 때문에 가격이 0원 이하가 됩니다."))
            stock = row.get(C_STOCK) if C_STOCK in self.present else (prev.stock if prev else 0)
            active = row.get(C_ACTIVE) if C_ACTIVE in self.present else (prev.is_active if prev else True)
            out.append(VariantInput(option_values=dict(zip([o.name for o in options], combo, strict=True)),
                                    stock=stock or 0, sku=sku or "", price_delta=delta,
                                    is_active=True if active is None else active))
        return options, out

    def validate(self, code: str, rows, data: ProductInput, existing: Product | None) -> dict | None:
        try:
            return product_validate(self.store, data, existing, rules_cache=self.rules_cache)
        except ValidationError as exc:
            first = rows[0][0]
            for fname, msgs in (exc.details or {}).items():
                for msg in msgs:
                    self.errors.add(first, self._column_for(fname, msg), msg)
            return None

    def _column_for(self, fname: str, msg: str) -> str:
        if fname.startswith("attributes."):
            d = self.catalog.attrs.get(fname.split(".", 1)[1])
            return ATTR_PREFIX + (d.name if d else fname.split(".", 1)[1])
        if fname.startswith("notice."):
            return NOTICE_PREFIX + fname.split(".", 1)[1]
        if fname == "variants":
            for word, col in (("SKU", C_SKU), ("재고", C_STOCK), ("추가금액", C_DELTA), ("금액", C_DELTA)):
                if word in msg:
                    return col
            return OPTION_VALUE_COLS[0]
        return FIELD_COLUMNS.get(fname, C_CODE)


def _existing(store: Store, codes: list[str]) -> dict[str, Product]:
    out: dict[str, Product] = {}
    for i in range(0, len(codes), CHUNK):
        qs = (Product.objects.select_for_update().filter(store=store, code__in=codes[i:i + CHUNK])
              .prefetch_related("options", "variants", "tags"))
        out.update({p.code: p for p in qs})
    return out


def _raise_sheet_errors(errors: SheetErrors) -> None:
    items = sorted(errors.errors, key=lambda e: e.row)
    total = len(items)
    details = [e.as_dict() for e in items[:MAX_REPORTED_ERRORS]]
    first = items[0]
    raise ValidationError(
        _("%(n)s곳에 오류가 있어 아무것도 등록하지 않았습니다. 첫 오류: %(r)d행 [%(c)s] %(m)s")
        % {"n": f"{total:,}", "r": first.row, "c": first.column, "m": first.message},
        code="sheet_invalid", details=details,
    )


@transaction.atomic
def import_products(*, store: Store, actor: User, data: bytes, filename: str = "") -> ImportResult:
    """Create or update the store's products from an .xlsx/CSV sheet; all or nothing."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    sheet = open_sheet(data, filename)
    try:
        imp = _Importer(store, _Catalog(), sheet.kind)
        imp.read_header(sheet.header)
        if imp.errors:
            _raise_sheet_errors(imp.errors)
        groups = imp.read_rows(data_rows(sheet))
    finally:
        if sheet.close:
            sheet.close()
    result = ImportResult(rows=sum(len(r) for r in groups.values()), format=sheet.kind)
    if not groups and not imp.errors:
        raise ValidationError(_("등록할 상품 행이 없습니다."), code="sheet_empty")
    existing = _existing(store, list(groups))
    plans: list[Plan] = []
    for code, rows in groups.items():
        product = existing.get(code)
        data_in = imp.build_input(code, rows, product)
        if data_in is None:
            continue
        clean = imp.validate(code, rows, data_in, product)
        if clean is not None:
            plans.append(Plan(code=code, existing=product, clean=clean))
    if imp.errors:
        _raise_sheet_errors(imp.errors)
    try:
        with transaction.atomic():
            write_plans(store=store, plans=plans, result=result)
    except IntegrityError as exc:
        raise Conflict(_("다른 작업과 동시에 저장되어 등록하지 못했습니다. 잠시 후 다시 올려 주세요."), code="sheet_conflict") from exc
    return result
