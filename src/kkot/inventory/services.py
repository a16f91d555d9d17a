"""Stock writes. Every change is a StockMovement written together with its StockLevel balance and the cached
``Variant.stock`` (available to sell) in one transaction, under row locks taken in a fixed order: variants by id,
then their levels by id. Concurrent checkouts therefore serialise per variant and cannot deadlock.

Opening balances are lazy (ADR 0007): the first time a variant is touched, its ``Variant.stock`` becomes a
"receive" movement (사유 "기초 재고") into the store's default warehouse, created on first use. A later direct
write of ``Variant.stock`` by the product form is reconciled the same way as an "adjust" movement
(사유 "상품 정보 수정"), so the ledger and the cached number never disagree after any inventory call.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime

from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.catalog.models import Product, Variant
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.inventory.models import BackInStockRequest, MovementKind, StockLevel, StockMovement, Warehouse
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

K = MovementKind
OPENING_REASON = "기초 재고"
SYNC_REASON = "상품 정보 수정"
MAX_QTY = 1_000_000

# kind -> (on_hand sign, reserved sign) applied to a positive quantity; ADJUST carries its own sign.
EFFECTS = {K.RECEIVE: (1, 0), K.RESERVE: (0, 1), K.RELEASE: (0, -1), K.SHIP: (-1, -1),
           K.RETURN_RESTOCK: (1, 0), K.ADJUST: (1, 0), K.DISPOSE: (0, 0)}


# --------------------------------------------------------------------------------------------- warehouses
def warehouse_default(*, store: Store, cold_chain: bool = False) -> Warehouse:
    """The store's default warehouse (or, for chilled/frozen goods, its first cold-chain one), created on
    first use: a store without warehouses gets "기본 창고" (cold-chain capable when asked for cold chain)."""
    qs = Warehouse.objects.filter(store=store, is_active=True)
    if cold_chain:
        wh = qs.filter(cold_chain=True).order_by("-is_default", "pk").first()
    else:
        wh = qs.filter(is_default=True).first() or qs.order_by("pk").first()
    if wh is not None:
        return wh
    has_default = Warehouse.objects.filter(store=store, is_default=True).exists()
    code = "cold" if cold_chain and has_default else "main"
    try:
        with transaction.atomic():
            return Warehouse.objects.create(store=store, code=code, name=_("기본 창고"), cold_chain=cold_chain,
                                            is_default=not has_default, postcode=store.return_postcode)
    except IntegrityError:  # created concurrently
        return Warehouse.objects.get(store=store, code=code)


CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")


@transaction.atomic
def warehouse_create(*, store: Store, actor, name: str, code: str, kind: str = Warehouse.Kind.OWN,
                     cold_chain: bool = False, is_default: bool = False, postcode: str = "") -> Warehouse:
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    name, code = (name or "").strip(), (code or "").strip().lower()
    if not name or len(name) > 40:
        raise ValidationError(_("창고 이름을 1~40자로 입력해 주세요."), code="invalid_name")
    if not CODE_RE.match(code):
        raise ValidationError(_("창고 코드는 영문 소문자, 숫자, -로 30자 이내입니다."), code="invalid_code")
    if kind not in Warehouse.Kind.values:
        raise ValidationError(_("알 수 없는 창고 종류입니다."), code="invalid_kind")
    if postcode and not re.fullmatch(r"\d{5}", postcode):
        raise ValidationError(_("우편번호는 숫자 5자리입니다."), code="invalid_postcode")
    if Warehouse.objects.filter(store=store, code=code).exists():
        raise Conflict(_("이미 있는 창고 코드입니다."), code="duplicate_code")
    first = not Warehouse.objects.filter(store=store).exists()
    if is_default and not first:
        Warehouse.objects.filter(store=store, is_default=True).update(is_default=False)
    return Warehouse.objects.create(store=store, name=name, code=code, kind=kind, cold_chain=cold_chain,
                                    is_default=is_default or first, postcode=postcode)


# --------------------------------------------------------------------------------------------- core ledger
def _lock_variants(ids: Iterable[int]) -> dict[int, Variant]:
    return {v.pk: v for v in Variant.all_objects.select_for_update().select_related("product__store")
            .filter(pk__in=set(ids)).order_by("pk")}


def _lock_levels(variant_ids: Iterable[int]) -> dict[int, list[StockLevel]]:
    out: dict[int, list[StockLevel]] = defaultdict(list)
    for lv in (StockLevel.objects.select_for_update().select_related("warehouse")
               .filter(variant_id__in=set(variant_ids)).order_by("pk")):
        out[lv.variant_id].append(lv)
    return out


def _level(levels: dict[int, list[StockLevel]], variant: Variant, warehouse: Warehouse) -> StockLevel:
    for lv in levels[variant.pk]:
        if lv.warehouse_id == warehouse.pk:
            return lv
    lv, _created = StockLevel.objects.get_or_create(variant=variant, warehouse=warehouse)
    lv = StockLevel.objects.select_for_update().select_related("warehouse").get(pk=lv.pk)
    levels[variant.pk].append(lv)
    return lv


def _move(lv: StockLevel, kind: str, qty: int, *, reason: str = "", actor=None, order_line_id=None, ref="",
          at: datetime | None = None) -> StockMovement:
    """Apply one movement to a locked level and write its ledger row (the only place balances change)."""
    oh_sign, res_sign = EFFECTS[kind]
    d_oh, d_res = oh_sign * qty, res_sign * qty
    if lv.reserved + d_res < 0 or lv.on_hand + d_oh < lv.reserved + d_res:
        raise Conflict(_("재고가 부족합니다."), code="out_of_stock")  # callers check first; never oversell
    lv.on_hand += d_oh
    lv.reserved += d_res
    lv.save(update_fields=["on_hand", "reserved", "updated_at"])
    return StockMovement.objects.create(
        variant_id=lv.variant_id, warehouse_id=lv.warehouse_id, kind=kind,
        qty=-qty if kind in (K.RESERVE, K.SHIP) else qty, on_hand_delta=d_oh, reserved_delta=d_res,
        reason=reason[:200], actor=actor, order_line_id=order_line_id, ref=ref[:60], at=at or timezone.now())


def _sync(variants: dict[int, Variant], levels: dict[int, list[StockLevel]], at=None) -> None:
    """Lazy opening balance / reconciliation of direct ``Variant.stock`` writes (see module doc)."""
    for v in variants.values():
        ledger = sum(lv.available for lv in levels[v.pk])
        delta = v.stock - ledger
        if delta == 0:
            continue
        if delta > 0:
            wh = warehouse_default(store=v.product.store, cold_chain=v.product.cold_chain)
            kind = K.RECEIVE if not levels[v.pk] else K.ADJUST
            _move(_level(levels, v, wh), kind, delta, reason=OPENING_REASON if kind == K.RECEIVE else SYNC_REASON,
                  at=at)
        else:
            need = -delta
            for lv in sorted(levels[v.pk], key=lambda x: -x.available):
                take = min(need, lv.available)
                if take:
                    _move(lv, K.ADJUST, -take, reason=SYNC_REASON, at=at)
                    need -= take


def _write_cache(variants: dict[int, Variant], levels: dict[int, list[StockLevel]]) -> list[int]:
    """Variant.stock = Σ available; Product.stock_total and 품절 follow. Returns variants back in stock."""
    back = []
    for v in variants.values():
        avail = sum(lv.available for lv in levels[v.pk])
        if avail != v.stock:
            if v.stock == 0 and avail > 0:
                back.append(v.pk)
            Variant.all_objects.filter(pk=v.pk).update(stock=avail)
            v.stock = avail
    _refresh_products({v.product_id for v in variants.values()})
    return back


def _refresh_products(product_ids: set[int]) -> None:
    totals: dict[int, int] = defaultdict(int)
    for row in (Variant.objects.filter(product_id__in=product_ids, is_active=True).values("product_id")
                .annotate(s=Sum("stock"))):
        totals[row["product_id"]] = row["s"] or 0
    for pid in product_ids:
        # updated_at moves so the search index sees the stock change (in-stock filter).
        Product.objects.filter(pk=pid).update(stock_total=totals[pid], updated_at=timezone.now())
        # Sold out by checkout -> 품절; back in stock -> on sale again (only automatic states change).
        if totals[pid] == 0:
            Product.objects.filter(pk=pid, status=Product.Status.ON_SALE).update(status=Product.Status.SOLD_OUT)
        else:
            Product.objects.filter(pk=pid, status=Product.Status.SOLD_OUT).update(status=Product.Status.ON_SALE)


def _begin(variant_ids: Iterable[int], at=None):
    variants = _lock_variants(variant_ids)
    levels = _lock_levels(variants)
    _sync(variants, levels, at=at)
    return variants, levels


def _clean_quantities(quantities: dict[int, int]) -> dict[int, int]:
    return {int(k): int(q) for k, q in quantities.items() if int(q) > 0}


# --------------------------------------------------------------------------------------------- order flow
@transaction.atomic
def inventory_reserve(*, quantities: dict[int, int], ref: str = "", at: datetime | None = None) -> None:
    """Reserve ``{variant_id: qty}`` (checkout, exchange replacement) or raise Conflict(out_of_stock) having
    reserved nothing. Takes from the default warehouse first, then the fullest ones."""
    quantities = _clean_quantities(quantities)
    if not quantities:
        return
    variants, levels = _begin(quantities, at=at)
    short = [vid for vid, q in quantities.items()
             if vid not in variants or variants[vid].retired_at is not None or variants[vid].stock < q]
    if short:
        v = variants.get(short[0])
        name = f"{v.product.name} {v.label}".strip() if v else _("상품")
        raise Conflict(_("재고가 부족합니다: %(n)s (남은 수량 %(s)d개)") % {"n": name, "s": v.stock if v else 0},
                       code="out_of_stock", details={"variant_ids": short})
    for vid, q in sorted(quantities.items()):
        need = q
        for lv in sorted(levels[vid], key=lambda x: (not x.warehouse.is_default, -x.available, x.pk)):
            take = min(need, lv.available)
            if take:
                _move(lv, K.RESERVE, take, ref=ref, at=at)
                need -= take
            if not need:
                break
    _write_cache(variants, levels)


@transaction.atomic
def inventory_release(*, quantities: dict[int, int], ref: str = "", at: datetime | None = None) -> list[int]:
    """Give reserved units back (payment failed or expired, cancellation before dispatch). Units that were
    never reserved in the ledger (orders placed before it existed) come back as a return-restock, so the
    available number moves exactly as it always did. Returns the variants that came back in stock."""
    quantities = _clean_quantities(quantities)
    if not quantities:
        return []
    variants, levels = _begin(quantities, at=at)
    for vid, q in sorted(quantities.items()):
        if vid not in variants:
            continue
        need = q
        for lv in sorted(levels[vid], key=lambda x: (-x.reserved, x.pk)):
            take = min(need, lv.reserved)
            if take:
                _move(lv, K.RELEASE, take, ref=ref, at=at)
                need -= take
        if need:
            _restock(variants[vid], levels, need, ref=ref or "legacy", at=at)
    return _write_cache(variants, levels)


def _restock(v: Variant, levels, qty: int, *, ref="", reason="", actor=None, order_line_id=None, at=None,
             warehouse: Warehouse | None = None) -> None:
    wh = warehouse or warehouse_default(store=v.product.store, cold_chain=v.product.cold_chain)
    _move(_level(levels, v, wh), K.RETURN_RESTOCK, qty, ref=ref, reason=reason, actor=actor,
          order_line_id=order_line_id, at=at)


@transaction.atomic
def inventory_restock(*, quantities: dict[int, int], ref: str = "", reason: str = "", actor=None,
                      warehouse_id: int | None = None, at: datetime | None = None) -> list[int]:
    """Returned units go back on the shelf (an approved return or exchange). Returns variants back in stock."""
    quantities = _clean_quantities(quantities)
    if not quantities:
        return []
    variants, levels = _begin(quantities, at=at)
    for vid, q in sorted(quantities.items()):
        if vid in variants:
            wh = None
            if warehouse_id is not None:
                wh = Warehouse.objects.filter(pk=warehouse_id, store=variants[vid].product.store).first()
            _restock(variants[vid], levels, q, ref=ref, reason=reason, actor=actor, at=at, warehouse=wh)
    return _write_cache(variants, levels)


@transaction.atomic
def inventory_dispose(*, quantities: dict[int, int], reason: str, ref: str = "", actor=None,
                      warehouse_id: int | None = None, at: datetime | None = None) -> list[StockMovement]:
    """Returned units that do not go back on the shelf (검수 불합격, 파손): a "dispose" movement with its reason in
    the ledger and no effect on the balances (the units left the stock when they shipped and never came back)."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("폐기 사유를 입력해 주세요."), code="reason_required")
    quantities = _clean_quantities(quantities)
    if not quantities:
        return []
    variants, levels = _begin(quantities, at=at)
    out = []
    for vid, q in sorted(quantities.items()):
        if vid not in variants:
            continue
        v = variants[vid]
        wh = Warehouse.objects.filter(pk=warehouse_id, store=v.product.store).first() if warehouse_id else None
        wh = wh or warehouse_default(store=v.product.store, cold_chain=v.product.cold_chain)
        out.append(_move(_level(levels, v, wh), K.DISPOSE, q, reason=reason, ref=ref, actor=actor, at=at))
    _write_cache(variants, levels)
    return out


@transaction.atomic
def inventory_ship(*, lines: list[tuple[int, int, int | None]], ref: str = "", actor=None,
                   at: datetime | None = None) -> None:
    """Dispatch: ``[(variant_id, qty, order_line_id)]`` leave the warehouse (on hand and reserved both drop).
    Units that were never reserved in the ledger (placed before it existed) were already off the available
    number; nothing more is taken for them."""
    lines = [(int(v), int(q), ol) for v, q, ol in lines if int(q) > 0]
    if not lines:
        return
    variants, levels = _begin([v for v, _q, _ol in lines], at=at)
    for vid, q, ol in lines:
        need = q
        for lv in sorted(levels.get(vid, []), key=lambda x: (-x.reserved, x.pk)):
            take = min(need, lv.reserved)
            if take:
                _move(lv, K.SHIP, take, ref=ref, actor=actor, order_line_id=ol, at=at)
                need -= take
    _write_cache(variants, levels)


# --------------------------------------------------------------------------------------------- seller
def _seller_variant(store: Store, variant_id) -> Variant:
    v = (Variant.all_objects.select_related("product").filter(pk=variant_id, product__store=store).first()
         if str(variant_id).isdigit() else None)
    if v is None:
        raise NotFound(_("옵션을 찾을 수 없습니다."))
    return v


def _seller_warehouse(store: Store, warehouse_id) -> Warehouse:
    wh = Warehouse.objects.filter(pk=warehouse_id, store=store).first() if str(warehouse_id).isdigit() else None
    if wh is None:
        raise NotFound(_("창고를 찾을 수 없습니다."))
    return wh


def _parse_qty(value, *, allow_negative: bool) -> int:
    try:
        q = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValidationError(_("수량은 정수로 입력해 주세요."), code="invalid_qty") from None
    if q == 0 or abs(q) > MAX_QTY or (q < 0 and not allow_negative):
        raise ValidationError(_("수량은 1 이상 %(m)s 이하로 입력해 주세요.") % {"m": f"{MAX_QTY:,}"},
                              code="invalid_qty")
    return q


@transaction.atomic
def stock_receive(*, store: Store, actor, warehouse_id, variant_id, qty, reason: str = "") -> StockMovement:
    """입고: units arrive at one of the store's warehouses."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    q = _parse_qty(qty, allow_negative=False)
    v, wh = _seller_variant(store, variant_id), _seller_warehouse(store, warehouse_id)
    _check_cold(v, wh)
    variants, levels = _begin([v.pk])
    mv = _move(_level(levels, variants[v.pk], wh), K.RECEIVE, q, reason=(reason or "").strip(), actor=actor)
    _write_cache(variants, levels)
    return mv


def _check_cold(v: Variant, wh: Warehouse) -> None:
    if v.product.cold_chain and not wh.cold_chain:
        raise ValidationError(_("냉장/냉동 상품은 냉장 보관이 가능한 창고에만 둘 수 있습니다."), code="cold_chain_warehouse")


@transaction.atomic
def stock_adjust(*, store: Store, actor, warehouse_id, variant_id, delta, reason: str) -> StockMovement:
    """재고 조정 (실사, 파손, 분실): a signed change of on-hand with a required reason. Refused when it would
    leave fewer units than zero available (on hand below what is reserved for orders)."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("조정 사유를 입력해 주세요."), code="reason_required")
    d = _parse_qty(delta, allow_negative=True)
    v, wh = _seller_variant(store, variant_id), _seller_warehouse(store, warehouse_id)
    if d > 0:
        _check_cold(v, wh)
    variants, levels = _begin([v.pk])
    lv = _level(levels, variants[v.pk], wh)
    if lv.available + d < 0:
        raise ValidationError(
            _("재고를 0개 아래로 줄일 수 없습니다. 이 창고의 판매 가능 재고는 %(a)d개(실재고 %(h)d개, 주문 예약 %(r)d개)입니다.")
            % {"a": lv.available, "h": lv.on_hand, "r": lv.reserved},
            code="below_zero", details={"available": lv.available})
    mv = _move(lv, K.ADJUST, d, reason=reason, actor=actor)
    _write_cache(variants, levels)
    return mv


@transaction.atomic
def stock_sync(*, store: Store) -> int:
    """Bring the ledger up to date for every variant of the store (opening balances and product-form edits).
    Returns how many variants were touched."""
    ids = list(Variant.all_objects.filter(product__store=store).values_list("pk", flat=True))
    if ids:
        variants, levels = _begin(ids)
        _write_cache(variants, levels)
    return len(ids)


# --------------------------------------------------------------------------------------------- shoppers
@transaction.atomic
def back_in_stock_request(*, user, variant_id) -> BackInStockRequest:
    """재입고 알림 신청 for a sold-out option. Asking twice keeps one open request."""
    v = (Variant.objects.select_related("product").filter(pk=variant_id, is_active=True).first()
         if str(variant_id).isdigit() else None)
    if v is None or not v.product.is_visible:
        raise NotFound(_("상품을 찾을 수 없습니다."))
    if v.stock > 0:
        raise ValidationError(_("지금 구매할 수 있는 옵션입니다."), code="in_stock")
    existing = BackInStockRequest.objects.filter(variant=v, user=user, notified_at__isnull=True).first()
    if existing is not None:
        return existing
    return BackInStockRequest.objects.create(variant=v, user=user)


def stock_sync_if_needed(*, store: Store) -> int:
    """Open / reconcile the ledger only when some variant's ``Variant.stock`` differs from its levels (one
    grouped query when nothing is to do, so the stock page can call it on every visit). Returns variants synced."""
    from django.db.models import F, IntegerField, Value
    from django.db.models.functions import Coalesce

    stale = (Variant.all_objects.filter(product__store=store)
             .annotate(ledger=Coalesce(Sum(F("stock_levels__on_hand") - F("stock_levels__reserved")), Value(0),
                                       output_field=IntegerField()))
             .exclude(ledger=F("stock")).exists())
    return stock_sync(store=store) if stale else 0


@transaction.atomic
def warehouse_set_default(*, store: Store, actor, warehouse_id) -> Warehouse:
    """기본 출고지 바꾸기: exactly one default warehouse per store (an inactive one cannot be the default)."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    wh = _seller_warehouse(store, warehouse_id)
    if not wh.is_active:
        raise ValidationError(_("사용하지 않는 창고는 기본 출고지로 정할 수 없습니다."), code="inactive_warehouse")
    Warehouse.objects.filter(store=store, is_default=True).exclude(pk=wh.pk).update(is_default=False)
    if not wh.is_default:
        wh.is_default = True
        wh.save(update_fields=["is_default"])
    return wh
