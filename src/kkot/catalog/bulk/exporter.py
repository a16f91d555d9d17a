"""Export and templates: the sheet format written back, as .xlsx (openpyxl) or CSV (UTF-8 with BOM)."""

from __future__ import annotations

import csv
import io
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from kkot.catalog.bulk.cells import FORMULA_CHARS, format_datetime
from kkot.catalog.bulk.columns import (
    ATTR_PREFIX,
    C_ACTIVE,
    C_BUNDLE,
    C_CATEGORY,
    C_CODE,
    C_COLD,
    C_MTO,
    C_STATUS,
    COMMENT_PREFIX,
    FIXED,
    FIXED_AFTER,
    FIXED_BEFORE,
    NOTICE_PREFIX,
    STATUS_LABELS,
    header_row,
)
from kkot.catalog.bulk.reader import MAX_ROWS, PRODUCT_SHEET
from kkot.catalog.models import AttributeDefinition, Category, Product, Tag
from kkot.catalog.seed import NOTICE_GROUPS
from kkot.catalog.selectors import category_attribute_defs, category_notice_fields
from kkot.stores.models import Store

GUIDE_SHEET = "안내"
CATEGORY_SHEET = "카테고리"


def _category_paths() -> dict[int, str]:
    cats = {c.pk: c for c in Category.objects.all()}
    return {pk: ">".join(cats[i].name for i in c.ancestor_ids if i in cats) for pk, c in cats.items()}


def _all_notice_fields() -> list[str]:
    out: list[str] = []
    for group in NOTICE_GROUPS.values():
        out += [f for f in group["fields"] if f not in out]
    return out


def _columns_for(categories: list[Category]) -> tuple[list[AttributeDefinition], list[str]]:
    defs: dict[int, AttributeDefinition] = {}
    fields: list[str] = []
    for c in categories:
        for d in category_attribute_defs(c):
            defs[d.pk] = d
        fields += [f for f in category_notice_fields(c) if f not in fields]
    return sorted(defs.values(), key=lambda d: (d.position, d.code)), fields


def _money(v) -> Any:
    return "" if v is None else int(v)


def _yn(v: bool) -> str:
    return "Y" if v else "N"


def product_rows(products: list[Product], attrs: list[AttributeDefinition], notice: list[str],
                 paths: dict[int, str]) -> list[list[Any]]:
    rows = []
    for p in products:
        options = [o.name for o in p.options.all()]
        head = [p.code, p.name, paths.get(p.category_id, ""), _money(p.price), _money(p.sale_price),
                format_datetime(p.sale_starts_at), format_datetime(p.sale_ends_at), STATUS_LABELS.get(p.status, p.status),
                p.brand, p.description_html, ",".join(t.name for t in p.tags.all())]
        for d in attrs:
            v = (p.attributes or {}).get(d.code, "")
            head.append(",".join(v) if isinstance(v, list) else v)
        ship = [_money(p.shipping_fee), _yn(p.bundle_shipping), p.dispatch_days, _yn(p.made_to_order), _yn(p.cold_chain)]
        tail = [(p.notice or {}).get(f, "") for f in notice]
        for v in p.variants.all():
            opts: list[Any] = []
            for i in range(3):
                name = options[i] if i < len(options) else ""
                opts += [name, v.option_values.get(name, "") if name else ""]
            rows.append(head + ship + opts + [v.sku, int(v.price_delta), v.stock, _yn(v.is_active)] + tail)
    return rows


def _export_data(store: Store) -> tuple[list[str], list[list[Any]]]:
    products = list(
        Product.objects.filter(store=store).order_by("id")
        .prefetch_related("options", "variants", Prefetch("tags", queryset=Tag.objects.order_by("name")))
    )
    cats = list(Category.objects.filter(pk__in={p.category_id for p in products}))
    attrs, notice = _columns_for(cats)
    codes = {d.code for d in attrs}
    extra = {k for p in products for k in (p.attributes or {}) if k not in codes}
    if extra:  # attributes kept from an earlier category: still exported, never dropped
        attrs += list(AttributeDefinition.objects.filter(code__in=extra).order_by("position", "code"))
    nfields = set(notice)
    notice += sorted({k for p in products for k in (p.notice or {}) if k not in nfields})
    header = header_row([d.name for d in attrs], notice)
    return header, product_rows(products, attrs, notice, _category_paths())


def _csv_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    buf = io.StringIO(newline="")
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(header)
    for row in rows:
        # Text that Excel would run as a formula gets an apostrophe; the importer takes it off again.
        w.writerow(["'" + v if isinstance(v, str) and len(v) > 1 and v[0] in FORMULA_CHARS
                    and not _is_number(v) else v for v in row])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def _is_number(v: str) -> bool:
    try:
        int(v)
        return True
    except ValueError:
        return False


def _text_cell(ws, value):
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        cell = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", value))
        cell.data_type = "s"  # never a formula, even when the text starts with '='
        return cell
    return WriteOnlyCell(ws, value=value)


def _xlsx_bytes(header: list[str], rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(PRODUCT_SHEET)
    ws.freeze_panes = "B2"
    ws.append([_text_cell(ws, h) for h in header])
    for row in rows:
        ws.append([_text_cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_products(*, store: Store, fmt: str = "xlsx") -> bytes:
    """All of the store's products in the bulk sheet format (one row per variant)."""
    if fmt not in ("xlsx", "csv"):
        raise ValueError(f"unknown format {fmt!r}")
    header, rows = _export_data(store)
    return _csv_bytes(header, rows) if fmt == "csv" else _xlsx_bytes(header, rows)


# -- templates ----------------------------------------------------------------------------------------------

def _template_columns(category: Category | None) -> tuple[list[AttributeDefinition], list[str], Category | None]:
    if category is not None:
        attrs, notice = _columns_for([category])
        return attrs, notice, category
    attrs = list(AttributeDefinition.objects.order_by("position", "code"))
    example = Category.objects.filter(slug="w-tshirt").first() or Category.objects.filter(level=3).first()
    return attrs, _all_notice_fields(), example


def _example_rows(attrs: list[AttributeDefinition], notice: list[str], example: Category | None) -> list[list[Any]]:
    path = _category_paths().get(example.pk, "") if example else FIXED[C_CATEGORY].example
    allowed = {d.code for d in category_attribute_defs(example)} if example else set()
    rows = []
    for color, size, stock in (("블랙", "M", "5"), ("블랙", "L", "3")):
        row = {c.name: c.example for c in FIXED_BEFORE + FIXED_AFTER}
        row.update({C_CODE: COMMENT_PREFIX + "TS-001", C_CATEGORY: path, "옵션1값": color, "옵션2값": size,
                    "재고": stock, "SKU": f"TS-001-{'BK'}-{size}"})
        values = [row[c.name] for c in FIXED_BEFORE]
        values += [(d.choices[0] if d.choices and d.code in allowed else "") for d in attrs]
        values += [row[c.name] for c in FIXED_AFTER]
        values += ["" for _f in notice]
        rows.append(values)
    return rows


def template_csv(*, category: Category | None = None) -> bytes:
    attrs, notice, example = _template_columns(category)
    return _csv_bytes(header_row([d.name for d in attrs], notice), _example_rows(attrs, notice, example))


def _guide_rows(attrs: list[AttributeDefinition], notice: list[str]) -> list[list[str]]:
    rows = [[_("열 이름"), _("필수"), _("설명"), _("예시")]]
    for c in FIXED_BEFORE:
        rows.append([c.name, _("필수") if c.required else "", str(c.help), c.example])
    for d in attrs:
        kind = _("여러 값은 쉼표로 구분") if d.kind == "multi" else _("값 하나") if d.kind == "choice" else _("자유 입력")
        choices = ", ".join(d.choices) if d.choices else ""
        rows.append([ATTR_PREFIX + d.name, "", _("속성 %(n)s (%(k)s). 고를 수 있는 값: %(c)s") % {
            "n": d.name, "k": kind, "c": choices or "-"}, d.choices[0] if d.choices else ""])
    for c in FIXED_AFTER:
        rows.append([c.name, "", str(c.help), c.example])
    for f in notice:
        rows.append([NOTICE_PREFIX + f, "", _("상품정보제공고시 항목 '%(f)s'. 카테고리의 고시 품목에 있는 항목만 입력합니다.") % {"f": f}, ""])
    rows += [[], [_("입력 규칙")]]
    rules = [
        _("한 행이 한 옵션 조합(SKU)입니다. 같은 상품코드의 행들이 한 상품이 되며, 상품 정보 열은 모든 행에 똑같이 적거나 첫 행에만 적습니다."),
        _("옵션이 없는 상품은 옵션 칸을 비우고 한 행만 씁니다. 옵션 값은 행에 처음 나온 순서대로 정렬됩니다."),
        _("행에 없는 옵션 조합은 재고 0으로 만들어집니다. 같은 옵션 조합을 두 번 쓸 수 없습니다."),
        _("이미 있는 상품코드는 수정됩니다. 시트에 없는 열(선택 열)은 기존 값을 그대로 둡니다."),
        _("한 칸이라도 오류가 있으면 아무것도 등록되지 않고, 오류가 있는 모든 칸을 행 번호와 열 이름으로 알려 드립니다."),
        _("상품코드가 #으로 시작하는 행(예시 행)은 건너뜁니다."),
        _("=로 시작하는 수식은 계산하지 않고 글자로 읽습니다. 날짜는 한국 시간 YYYY-MM-DD HH:MM 으로 씁니다."),
        _("한 번에 최대 %(n)s행까지 올릴 수 있습니다. CSV는 UTF-8(BOM) 또는 엑셀 기본(CP949) 인코딩을 읽습니다.")
        % {"n": f"{MAX_ROWS:,}"},
    ]
    rows += [[r] for r in rules]
    return rows


def template_workbook(*, category: Category | None = None) -> bytes:
    """An .xlsx to fill in: a 상품 sheet (header + example rows, drop-down lists), 안내 and 카테고리 sheets."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    attrs, notice, example = _template_columns(category)
    header = header_row([d.name for d in attrs], notice)
    wb = Workbook()
    ws = wb.active
    ws.title = PRODUCT_SHEET
    ws.append(header)
    for row in _example_rows(attrs, notice, example):
        ws.append(row)
    bold, fill = Font(bold=True), PatternFill("solid", fgColor="FFF2CC")
    for i, h in enumerate(header, start=1):
        cell = ws.cell(row=1, column=i)
        cell.font = bold
        if h in FIXED and FIXED[h].required:
            cell.fill = fill
        ws.column_dimensions[get_column_letter(i)].width = max(10, min(40, len(h) * 2 + 4))
        for r in (2, 3):
            ws.cell(row=r, column=i).font = Font(color="888888")
    ws.freeze_panes = "B2"

    cats = wb.create_sheet(CATEGORY_SHEET)
    cats.append([_("카테고리 경로"), _("코드")])
    paths = _category_paths()
    leaves = list(Category.objects.filter(level=3, is_active=True).order_by("path"))
    for c in leaves:
        cats.append([paths[c.pk], c.slug])
    cats.column_dimensions["A"].width = 40

    col = {h: get_column_letter(i) for i, h in enumerate(header, start=1)}
    last = MAX_ROWS + 1

    def validation(formula: str, header_name: str, strict: bool = True) -> None:
        dv = DataValidation(type="list", formula1=formula, allow_blank=True, showErrorMessage=strict)
        dv.error = _("목록에 있는 값을 입력해 주세요.")
        ws.add_data_validation(dv)
        dv.add(f"{col[header_name]}2:{col[header_name]}{last}")

    validation('"' + ",".join(STATUS_LABELS.values()) + '"', C_STATUS)
    for name in (C_BUNDLE, C_MTO, C_COLD, C_ACTIVE):
        validation('"Y,N"', name)
    validation(f"='{CATEGORY_SHEET}'!$A$2:$A${len(leaves) + 1}", C_CATEGORY, strict=False)
    for d in attrs:
        if d.kind == "choice" and d.choices and len(",".join(d.choices)) < 250:
            validation('"' + ",".join(d.choices) + '"', ATTR_PREFIX + d.name)

    guide = wb.create_sheet(GUIDE_SHEET)
    for row in _guide_rows(attrs, notice):
        guide.append(row)
    guide["A1"].font = guide["B1"].font = guide["C1"].font = guide["D1"].font = bold
    guide.column_dimensions["A"].width = 24
    guide.column_dimensions["C"].width = 90
    for row in guide.iter_rows(min_row=2, min_col=3, max_col=3):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
