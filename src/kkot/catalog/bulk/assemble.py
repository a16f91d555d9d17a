"""One product's rows of a sheet -> the ``ProductInput`` the product editor would save, checked with the
editor's own rules (:func:`product_validate`). Problems are added to the sheet's errors at their row and column."""

from __future__ import annotations

import dataclasses
from typing import Any

from django.utils.translation import gettext as _

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
    FIELD_COLUMNS,
    NOTICE_PREFIX,
    OPTION_NAME_COLS,
    OPTION_VALUE_COLS,
    REQUIRED,
    VARIANT_COLUMNS,
)
from kkot.catalog.bulk.parse import Rows, SheetParser
from kkot.catalog.models import Product
from kkot.catalog.services import (
    OptionInput,
    ProductInput,
    VariantInput,
    product_input_from_instance,
    product_validate,
)
from kkot.core.errors import ValidationError
from kkot.stores.models import Store

# Product-level column -> ProductInput field, and the value a blank cell means.
INPUT_FIELDS: dict[str, tuple[str, Any]] = {
    C_NAME: ("name", ""),
    C_CATEGORY: ("category_id", None),
    C_PRICE: ("price", None),
    "할인가": ("sale_price", None),
    "할인시작": ("sale_starts_at", None),
    "할인종료": ("sale_ends_at", None),
    "판매상태": ("status", Product.Status.ON_SALE),
    "브랜드": ("brand", ""),
    "상세설명(HTML)": ("description_html", ""),
    "태그": ("tags", []),
    "배송비": ("shipping_fee", None),
    "묶음배송": ("bundle_shipping", True),
    "출고소요일": ("dispatch_days", 2),
    "주문제작": ("made_to_order", False),
    "냉장냉동": ("cold_chain", False),
}


class ProductAssembler:
    """Built from a sheet whose header and rows have been read; reports into that sheet's errors."""

    def __init__(self, store: Store, sheet: SheetParser) -> None:
        self.store = store
        self.catalog = sheet.catalog
        self.errors = sheet.errors
        self.specs = sheet.specs
        self.present = sheet.present
        self.bad_rows = sheet.bad_rows
        self.rules_cache: dict = {}

    # -- one product ---------------------------------------------------------------------------------------
    def product_values(self, code: str, rows: Rows) -> dict[str, Any]:
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
                    self.errors.add(
                        n,
                        spec.header,
                        _(
                            "같은 상품코드(%(c)s)의 %(r)d행과 값이 다릅니다. 한 상품의 행에는 상품 정보를 "
                            "똑같이 입력해 주세요."
                        )
                        % {"c": code, "r": first_row},
                    )
        return out

    def build_input(self, code: str, rows, existing: Product | None) -> ProductInput | None:
        n_errors = len(self.errors.errors)
        bad_cells = any(n in self.bad_rows for n, _row in rows)
        pv = self.product_values(code, rows)
        first = rows[0][0]
        base = (
            product_input_from_instance(existing)
            if existing
            else ProductInput(name="", category_id=0, price="")
        )
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
            target, key = (
                (attributes, spec.attr.code)
                if spec.kind == "attr"
                else (notice, spec.header[len(NOTICE_PREFIX) :].strip())
                if spec.kind == "notice"
                else (None, None)
            )
            if target is None:
                continue
            if pv.get(spec.header) is None:
                target.pop(key, None)
            else:
                target[key] = pv[spec.header]
        changes["attributes"], changes["notice"] = attributes, notice
        if any(h in self.present for h in (*OPTION_NAME_COLS, *VARIANT_COLUMNS)):
            changes["options"], changes["variants"] = self.variants(
                code, rows, pv, base, changes.get("price")
            )
        if bad_cells or len(self.errors.errors) > n_errors:
            return None
        return dataclasses.replace(base, **changes)

    def variants(
        self, code, rows, pv, base: ProductInput, price
    ) -> tuple[list[OptionInput], list[VariantInput]]:
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
                msg = (
                    _("같은 옵션 조합이 %(r)d행에 이미 있습니다.")
                    if used
                    else _("옵션이 없는 상품은 한 행만 입력합니다(%(r)d행과 같은 상품코드).")
                )
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
                    self.errors.add(
                        n,
                        C_SKU,
                        _("SKU가 %(r)d행과 같습니다. 상품 안에서 SKU는 달라야 합니다.")
                        % {"r": seen_sku[sku]},
                    )
                seen_sku.setdefault(sku, n)
            delta = row.get(C_DELTA) if C_DELTA in self.present else (prev.price_delta if prev else 0)
            delta = delta or 0
            if price not in (None, "") and not isinstance(price, str) and price + delta <= 0:
                self.errors.add(n, C_DELTA, _("옵션 추가금액 때문에 가격이 0원 이하가 됩니다."))
            stock = row.get(C_STOCK) if C_STOCK in self.present else (prev.stock if prev else 0)
            active = row.get(C_ACTIVE) if C_ACTIVE in self.present else (prev.is_active if prev else True)
            out.append(
                VariantInput(
                    option_values=dict(zip([o.name for o in options], combo, strict=True)),
                    stock=stock or 0,
                    sku=sku or "",
                    price_delta=delta,
                    is_active=True if active is None else active,
                )
            )
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
