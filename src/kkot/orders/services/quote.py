"""The checkout quote: prices, shipping and coupons computed from the database, never from the form."""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.catalog.models import Product, Variant
from kkot.core.errors import NotFound, ValidationError
from kkot.orders.models import Coupon, CouponRedemption, Order, OrderStatus
from kkot.orders.pricing import (
    ZERO,
    CouponTerms,
    LineForShipping,
    ShippingPolicy,
    allocate,
    coupon_discount,
    shipping_fee,
)
from kkot.stores.models import Store, StoreFollow


@dataclass
class QuoteLine:
    variant: Variant
    quantity: int
    unit_price: Decimal
    list_unit_price: Decimal
    subtotal: Decimal
    discount: Decimal = ZERO


@dataclass
class StoreQuote:
    store: Store
    lines: list[QuoteLine]
    items_total: Decimal
    shipping_fee: Decimal
    coupon: Coupon | None = None
    discount: Decimal = ZERO

    @property
    def total(self) -> Decimal:
        return self.items_total - self.discount + self.shipping_fee


@dataclass
class Quote:
    stores: list[StoreQuote] = field(default_factory=list)

    @property
    def items_total(self) -> Decimal:
        return sum((s.items_total for s in self.stores), ZERO)

    @property
    def discount_total(self) -> Decimal:
        return sum((s.discount for s in self.stores), ZERO)

    @property
    def shipping_total(self) -> Decimal:
        return sum((s.shipping_fee for s in self.stores), ZERO)

    @property
    def grand_total(self) -> Decimal:
        return self.items_total - self.discount_total + self.shipping_total


def _policy(store: Store) -> ShippingPolicy:
    return ShippingPolicy(store.shipping_base_fee, store.shipping_free_over, store.shipping_jeju_surcharge,
                          store.shipping_island_surcharge)


def coupon_check(*, coupon: Coupon, user, items_total: Decimal, at=None) -> None:
    """Raise ValidationError with the reason a coupon cannot be used on this store order."""
    at = at or timezone.now()
    if not coupon.is_active or at < coupon.starts_at or at >= coupon.ends_at:
        raise ValidationError(_("사용 기간이 아닌 쿠폰입니다: %(c)s") % {"c": coupon.name}, code="coupon_expired")
    if items_total < coupon.min_order:
        raise ValidationError(_("%(c)s 쿠폰은 %(m)s원 이상 주문 시 쓸 수 있습니다.")
                              % {"c": coupon.name, "m": f"{int(coupon.min_order):,}"}, code="coupon_min_order")
    if coupon.usage_limit is not None and coupon.used_count >= coupon.usage_limit:
        raise ValidationError(_("모두 소진된 쿠폰입니다: %(c)s") % {"c": coupon.name}, code="coupon_exhausted")
    if CouponRedemption.objects.filter(coupon=coupon, user=user).exists():
        raise ValidationError(_("이미 사용한 쿠폰입니다: %(c)s") % {"c": coupon.name}, code="coupon_used")
    if coupon.audience == Coupon.Audience.REGULARS and not StoreFollow.objects.filter(store=coupon.store_id,
                                                                                      user=user).exists():
        raise ValidationError(_("단골 고객 전용 쿠폰입니다. 스토어를 단골로 맺은 뒤 써 주세요."), code="coupon_regulars_only")
    if coupon.audience == Coupon.Audience.FIRST_PURCHASE and Order.objects.filter(
        store=coupon.store_id, user=user).exclude(status=OrderStatus.CANCELLED).exists():
        raise ValidationError(_("이 스토어 첫 구매 고객 전용 쿠폰입니다."), code="coupon_first_only")


def checkout_quote(*, user, items: list[tuple[int, int]], postcode: str, coupons: dict[int, str] | None = None,
                   lock: bool = False) -> Quote:
    """Price ``[(variant_id, quantity)]`` for ``postcode`` with optional ``{store_id: coupon code}``."""
    if not items:
        raise ValidationError(_("주문할 상품을 선택해 주세요."), code="empty_checkout")
    qty: dict[int, int] = {}
    for vid, q in items:
        try:
            vid, q = int(vid), int(q)
        except (TypeError, ValueError):
            raise ValidationError(_("주문 정보가 올바르지 않습니다."), code="invalid_item") from None
        if not 1 <= q <= 999:
            raise ValidationError(_("수량은 1개 이상 999개 이하입니다."), code="invalid_quantity")
        qty[vid] = qty.get(vid, 0) + q
    qs = Variant.objects.select_related("product__store").filter(pk__in=qty).order_by("pk")
    variants = {v.pk: v for v in (qs.select_for_update() if lock else qs)}
    missing = [vid for vid in qty if vid not in variants]
    if missing:
        raise NotFound(_("주문할 수 없는 상품이 있습니다."), code="not_found", details={"variant_ids": missing})
    now = timezone.now()
    groups: OrderedDict[int, list[QuoteLine]] = OrderedDict()
    for vid in qty:
        v = variants[vid]
        p = v.product
        if not v.is_active or p.status not in (Product.Status.ON_SALE, Product.Status.SOLD_OUT) \
                or p.store.status != Store.Status.OPEN:
            raise ValidationError(_("판매하지 않는 상품입니다: %(n)s") % {"n": p.name}, code="not_for_sale")
        unit = p.current_price(now) + v.price_delta
        groups.setdefault(p.store_id, []).append(QuoteLine(
            variant=v, quantity=qty[vid], unit_price=unit, list_unit_price=p.price + v.price_delta,
            subtotal=unit * qty[vid]))
    coupons = coupons or {}
    quote = Quote()
    for store_id, lines in groups.items():
        store = lines[0].variant.product.store
        items_total = sum((ln.subtotal for ln in lines), ZERO)
        fee = shipping_fee(_policy(store), [LineForShipping(ln.subtotal, ln.variant.product.bundle_shipping,
                                                            ln.variant.product.shipping_fee) for ln in lines], postcode)
        sq = StoreQuote(store=store, lines=lines, items_total=items_total, shipping_fee=fee)
        code = (coupons.get(store_id) or coupons.get(str(store_id)) or "").strip()
        if code:
            coupon = Coupon.objects.filter(store=store, code__iexact=code).first()
            if coupon is None:
                raise ValidationError(_("이 스토어에서 쓸 수 없는 쿠폰입니다: %(c)s") % {"c": code}, code="coupon_invalid")
            coupon_check(coupon=coupon, user=user, items_total=items_total, at=now)
            sq.coupon = coupon
            sq.discount = coupon_discount(CouponTerms(coupon.kind, coupon.amount, coupon.percent, coupon.max_discount),
                                          items_total)
            for ln, d in zip(lines, allocate(sq.discount, [ln.subtotal for ln in lines]), strict=True):
                ln.discount = d
        quote.stores.append(sq)
    unknown = {int(k) for k in coupons if str(k).isdigit() and coupons[k]} - set(groups)
    if unknown:
        raise ValidationError(_("주문에 없는 스토어의 쿠폰입니다."), code="coupon_invalid")
    return quote
