"""A seller's own stock writes: 입고 (receive), 재고 조정 (adjust), and bringing the ledger up to date."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F, IntegerField, Sum, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from kkot.catalog.models import Variant
from kkot.core.errors import NotFound, ValidationError
from kkot.inventory.models import StockMovement, Warehouse
from kkot.inventory.services.ledger import K, begin, level_for, move, write_cache
from kkot.inventory.services.warehouses import seller_warehouse
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

MAX_QTY = 1_000_000


def _seller_variant(store: Store, variant_id) -> Variant:
    v = (
        Variant.all_objects.select_related("product").filter(pk=variant_id, product__store=store).first()
        if str(variant_id).isdigit()
        else None
    )
    if v is None:
        raise NotFound(_("옵션을 찾을 수 없습니다."))
    return v


def _parse_qty(value, *, allow_negative: bool) -> int:
    try:
        q = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("수량은 정수로 입력해 주세요."), code="invalid_qty") from None
    if q == 0 or abs(q) > MAX_QTY or (q < 0 and not allow_negative):
        raise ValidationError(
            _("수량은 1 이상 %(m)s 이하로 입력해 주세요.") % {"m": f"{MAX_QTY:,}"}, code="invalid_qty"
        )
    return q


def _check_cold(v: Variant, wh: Warehouse) -> None:
    if v.product.cold_chain and not wh.cold_chain:
        raise ValidationError(
            _("냉장/냉동 상품은 냉장 보관이 가능한 창고에만 둘 수 있습니다."), code="cold_chain_warehouse"
        )


@transaction.atomic
def stock_receive(*, store: Store, actor, warehouse_id, variant_id, qty, reason: str = "") -> StockMovement:
    """입고: units arrive at one of the store's warehouses."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    q = _parse_qty(qty, allow_negative=False)
    v, wh = _seller_variant(store, variant_id), seller_warehouse(store, warehouse_id)
    _check_cold(v, wh)
    variants, levels = begin([v.pk])
    mv = move(level_for(levels, variants[v.pk], wh), K.RECEIVE, q, reason=(reason or "").strip(), actor=actor)
    write_cache(variants, levels)
    return mv


@transaction.atomic
def stock_adjust(*, store: Store, actor, warehouse_id, variant_id, delta, reason: str) -> StockMovement:
    """재고 조정 (실사, 파손, 분실): a signed change of on-hand with a required reason. Refused when it would
    leave fewer units than zero available (on hand below what is reserved for orders)."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("조정 사유를 입력해 주세요."), code="reason_required")
    d = _parse_qty(delta, allow_negative=True)
    v, wh = _seller_variant(store, variant_id), seller_warehouse(store, warehouse_id)
    if d > 0:
        _check_cold(v, wh)
    variants, levels = begin([v.pk])
    lv = level_for(levels, variants[v.pk], wh)
    if lv.available + d < 0:
        raise ValidationError(
            _(
                "재고를 0개 아래로 줄일 수 없습니다. 이 창고의 판매 가능 재고는 %(a)d개(실재고 %(h)d개, 주문 예약 %(r)d개)입니다."
            )
            % {"a": lv.available, "h": lv.on_hand, "r": lv.reserved},
            code="below_zero",
            details={"available": lv.available},
        )
    mv = move(lv, K.ADJUST, d, reason=reason, actor=actor)
    write_cache(variants, levels)
    return mv


@transaction.atomic
def stock_sync(*, store: Store) -> int:
    """Bring the ledger up to date for every variant of the store (opening balances and product-form edits).
    Returns how many variants were touched."""
    ids = list(Variant.all_objects.filter(product__store=store).values_list("pk", flat=True))
    if ids:
        variants, levels = begin(ids)
        write_cache(variants, levels)
    return len(ids)


def stock_sync_if_needed(*, store: Store) -> int:
    """Open / reconcile the ledger only when some variant's ``Variant.stock`` differs from its levels (one
    grouped query when nothing is to do, so the stock page can call it on every visit). Returns variants synced."""
    stale = (
        Variant.all_objects.filter(product__store=store)
        .annotate(
            ledger=Coalesce(
                Sum(F("stock_levels__on_hand") - F("stock_levels__reserved")),
                Value(0),
                output_field=IntegerField(),
            )
        )
        .exclude(ledger=F("stock"))
        .exists()
    )
    return stock_sync(store=store) if stale else 0
