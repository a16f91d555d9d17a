"""발송처리 by sheet: an .xlsx or CSV with 주문번호, 택배사, 송장번호 (other columns are ignored).

The file is read with the bulk-import reader (:mod:`kkot.catalog.bulk.reader`: size limit, format detected
from the bytes, zip-bomb and XML-entity checks, formulas never evaluated). Each good row is applied in its own
transaction through :func:`kkot.orders.services.lifecycle.order_ship`, so a bad row never stops the good
ones and nothing is half-applied within a row. Bad rows come back as ``{row, column, message}`` in Korean.
A row whose order already ships with the same carrier and number is counted as unchanged (re-uploading the
same sheet is harmless).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from kkot.catalog.bulk.reader import MAX_ROWS, data_rows, open_sheet
from kkot.core.errors import KkotError, ValidationError
from kkot.orders.models import Order, OrderStatus
from kkot.orders.services.lifecycle import CARRIERS, order_ship, validate_tracking
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

COL_ORDER, COL_CARRIER, COL_TRACKING = "주문번호", "택배사", "송장번호"
REQUIRED = (COL_ORDER, COL_CARRIER, COL_TRACKING)
SHEET_TITLE = "발송처리"


@dataclass
class TrackingImportResult:
    applied: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    unchanged: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"applied": self.applied, "unchanged": self.unchanged, "errors": self.errors}


def carrier_code(value: Any) -> str | None:
    """'cj', 'CJ대한통운', 'cj대한통운 ' -> 'cj'; None when unknown."""
    text = "" if value is None else str(value).strip()
    low = text.lower().replace(" ", "")
    if low in CARRIERS:
        return low
    for code, (label, _re) in CARRIERS.items():
        if low == label.lower().replace(" ", ""):
            return code
    return None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def _err(row: int, column: str, message: str) -> dict[str, Any]:
    return {"row": row, "column": column, "message": message}


def tracking_import(*, store: Store, actor, data: bytes, filename: str = "",
                    ship: Callable[..., Any] | None = None) -> TrackingImportResult:
    """Apply every good row; report every bad one. Raises ValidationError only for a file that cannot be
    used at all (too large, corrupt, unsafe, no header/rows, missing columns, no permission).

    ``ship(order=, actor=, carrier=, tracking_number=)`` dispatches one order (default :func:`order_ship`);
    the fulfillment app passes its ``shipment_create`` so every dispatched order gets a shipment (ADR 0007:
    fulfillment sits above orders, so orders cannot import it)."""
    ship = ship or order_ship
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    sheet = open_sheet(data, filename)
    try:
        col = {name: sheet.header.index(name) for name in REQUIRED if name in sheet.header}
        missing = [name for name in REQUIRED if name not in col]
        if missing:
            raise ValidationError(_("필수 열이 없습니다: %(c)s. 양식의 머리글(주문번호, 택배사, 송장번호)을 그대로 두고 "
                                    "입력해 주세요.") % {"c": ", ".join(missing)}, code="sheet_header")
        rows = [(n, [values[col[c]] for c in REQUIRED]) for n, values in data_rows(sheet)]
    finally:
        if sheet.close:
            sheet.close()
    if not rows:
        raise ValidationError(_("입력된 행이 없습니다. 주문번호, 택배사, 송장번호를 입력해 주세요."), code="sheet_empty")
    result = TrackingImportResult()
    parsed: list[tuple[int, str, str, str]] = []
    seen: dict[str, list[int]] = {}
    for n, (raw_number, raw_carrier, raw_tracking) in rows:
        number = _text(raw_number).upper()
        ok = True
        if not number:
            result.errors.append(_err(n, COL_ORDER, _("주문번호를 입력해 주세요.")))
            ok = False
        carrier = carrier_code(raw_carrier)
        if carrier is None:
            names = ", ".join(label for label, _re in CARRIERS.values())
            result.errors.append(_err(n, COL_CARRIER, _("알 수 없는 택배사입니다: '%(v)s'. 다음 중 하나를 입력해 주세요: %(l)s")
                                      % {"v": _text(raw_carrier), "l": names}))
            ok = False
        tracking = ""
        if carrier is not None:
            try:
                tracking = validate_tracking(carrier, _text(raw_tracking))
            except ValidationError as exc:
                result.errors.append(_err(n, COL_TRACKING, exc.message if _text(raw_tracking)
                                          else _("송장번호를 입력해 주세요.")))
                ok = False
        if number:
            seen.setdefault(number, []).append(n)
        if ok:
            parsed.append((n, number, carrier, tracking))
    dupes = {num: ns for num, ns in seen.items() if len(ns) > 1}
    for ns in dupes.values():
        for n in ns:
            result.errors.append(_err(n, COL_ORDER, _("같은 주문번호가 여러 행(%(rows)s행)에 있습니다. 한 행만 남겨 주세요.")
                                      % {"rows": ", ".join(str(x) for x in ns)}))
    parsed = [p for p in parsed if p[1] not in dupes]
    orders = {o.number: o for o in Order.objects.filter(store=store, number__in=[p[1] for p in parsed])}
    for n, number, carrier, tracking in parsed:
        order = orders.get(number)
        if order is None:  # unknown, or another store's order: the same answer
            result.errors.append(_err(n, COL_ORDER, _("주문을 찾을 수 없습니다: %(n)s") % {"n": number}))
            continue
        if order.status != OrderStatus.PAID and order.status != OrderStatus.PREPARING:
            if order.carrier == carrier and order.tracking_number == tracking and order.status in (
                    OrderStatus.SHIPPING, OrderStatus.DELIVERED, OrderStatus.CONFIRMED):
                result.unchanged += 1
            else:
                result.errors.append(_err(n, COL_ORDER, _("발송처리할 수 없는 상태의 주문입니다(%(s)s).")
                                          % {"s": order.get_status_display()}))
            continue
        try:
            with transaction.atomic():
                ship(order=order, actor=actor, carrier=carrier, tracking_number=tracking)
        except KkotError as exc:
            tracking_codes = ("invalid_tracking_number", "duplicate_tracking_number")
            column = COL_TRACKING if exc.code in tracking_codes else COL_ORDER
            result.errors.append(_err(n, column, exc.message))
        else:
            result.applied += 1
    result.errors.sort(key=lambda e: (e["row"], REQUIRED.index(e["column"]) if e["column"] in REQUIRED else 9))
    return result


def tracking_template(*, store: Store, fmt: str) -> bytes:
    """The upload sheet, prefilled with the store's orders waiting for shipment (결제완료, 상품준비중)."""
    from kkot.orders.selectors.seller import sheet_bytes

    header = [COL_ORDER, COL_CARRIER, COL_TRACKING, "받는 분", "상품(참고)"]
    orders = (Order.objects.filter(store=store, status__in=[OrderStatus.PAID, OrderStatus.PREPARING])
              .select_related("purchase").order_by("created_at", "id")[:MAX_ROWS])
    first_line: dict[int, tuple[str, int]] = {}
    from kkot.orders.models import OrderLine

    for ln in OrderLine.objects.filter(order__in=[o.pk for o in orders]).order_by("order_id", "id").values_list(
            "order_id", "product_name"):
        name, count = first_line.get(ln[0], (ln[1], 0))
        first_line[ln[0]] = (name, count + 1)
    rows = []
    for o in orders:
        name, count = first_line.get(o.pk, ("", 0))
        label = name if count <= 1 else _("%(n)s 외 %(k)d건") % {"n": name, "k": count - 1}
        rows.append([o.number, "", "", o.purchase.recipient, label])
    if not rows:
        rows.append(["K2405150000000-01", CARRIERS["cj"][0], "123456789012", "(예시 행: 지우고 입력하세요)", ""])
    return sheet_bytes(header, rows, fmt=fmt, title=SHEET_TITLE, text_columns=(0, 1, 2))
