"""Pure KRW arithmetic for checkout and claims: shipping fees, coupon discounts and their allocation.

Rules (documented for sellers and shoppers):
- Shipping per store and order: products with ``bundle_shipping`` share one base fee (free when the bundled
  items total reaches the store's free-over amount); a product with its own ``shipping_fee`` that is not
  bundled is charged per line. 제주 and 도서산간 surcharges are added once per shipment by postcode.
- A store coupon applies to that store's items total (before shipping). Percent coupons round half up to the
  won and respect ``max_discount``. The discount is allocated to the lines in proportion to their subtotals,
  largest remainder first, so the allocations add up to the won.
- Refund of a partial cancel/return of ``q`` of a line's ``Q`` units: ``unit_price * q`` minus the line's
  discount share for those units, computed cumulatively (``alloc(n) = round_half_up(d * n / Q)``) so that
  cancelling every unit in any number of steps refunds exactly the line's discount; shipping is refunded
  only when the whole order (the shipment) is cancelled before dispatch; for 단순변심 returns the return
  shipping fee is deducted (the shopper pays it).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)

# 제주: 63000-63644; 도서산간 (a representative set of island/remote postcode ranges used by Korean carriers).
JEJU = [(63000, 63644)]
ISLANDS = [
    (22386, 22388), (23004, 23010), (23100, 23136), (32133, 32133), (33411, 33411), (40200, 40240),
    (46768, 46771), (52570, 52571), (53031, 53033), (53089, 53104), (54000, 54000), (56347, 56349),
    (57068, 57069), (58760, 58762), (58800, 58810), (58816, 58818), (58826, 58826), (58828, 58866),
    (58953, 58958), (59102, 59103), (59106, 59106), (59127, 59127), (59129, 59129), (59137, 59166),
    (59650, 59650), (59766, 59766), (59781, 59790),
]


def _in(ranges, code: int) -> bool:
    return any(lo <= code <= hi for lo, hi in ranges)


def region_of(postcode: str) -> str:
    """'jeju', 'island' or 'mainland' for a 5-digit postcode."""
    code = int(postcode)
    if _in(JEJU, code):
        return "jeju"
    if _in(ISLANDS, code):
        return "island"
    return "mainland"


def won(value: Decimal) -> Decimal:
    return value.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class ShippingPolicy:
    base_fee: Decimal
    free_over: Decimal | None
    jeju_surcharge: Decimal
    island_surcharge: Decimal


@dataclass(frozen=True)
class LineForShipping:
    subtotal: Decimal
    bundle: bool
    own_fee: Decimal | None  # product.shipping_fee; None = store policy


def shipping_fee(policy: ShippingPolicy, lines: list[LineForShipping], postcode: str) -> Decimal:
    if not lines:
        return ZERO
    fee = ZERO
    bundled = [ln for ln in lines if ln.bundle or ln.own_fee is None]
    separate = [ln for ln in lines if not (ln.bundle or ln.own_fee is None)]
    if bundled:
        bundled_total = sum((ln.subtotal for ln in bundled), ZERO)
        own = [ln.own_fee for ln in bundled if ln.own_fee is not None]
        base = max([policy.base_fee, *own]) if own else policy.base_fee
        if policy.free_over is not None and bundled_total >= policy.free_over:
            base = ZERO
        fee += base
    for ln in separate:
        fee += ln.own_fee or ZERO
    region = region_of(postcode)
    if region == "jeju":
        fee += policy.jeju_surcharge
    elif region == "island":
        fee += policy.island_surcharge
    return fee


@dataclass(frozen=True)
class CouponTerms:
    kind: str  # "fixed" | "percent"
    amount: Decimal | None
    percent: int | None
    max_discount: Decimal | None


def coupon_discount(terms: CouponTerms, items_total: Decimal) -> Decimal:
    if items_total <= 0:
        return ZERO
    if terms.kind == "fixed":
        d = terms.amount or ZERO
    else:
        d = won(items_total * Decimal(terms.percent or 0) / Decimal(100))
        if terms.max_discount is not None:
            d = min(d, terms.max_discount)
    return min(d, items_total)


def allocate(total: Decimal, weights: list[Decimal]) -> list[Decimal]:
    """Split ``total`` won over ``weights`` proportionally; largest remainder (then earliest) gets the leftovers."""
    if not weights:
        return []
    wsum = sum(weights, ZERO)
    if wsum <= 0 or total <= 0:
        return [ZERO for _ in weights]
    exact = [total * w / wsum for w in weights]
    floors = [e.to_integral_value(rounding="ROUND_FLOOR") for e in exact]
    left = int(total - sum(floors, ZERO))
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - floors[i]), i))
    for i in order[:left]:
        floors[i] += 1
    return floors


def discount_share(line_discount: Decimal, quantity: int, before: int, now: int) -> Decimal:
    """The part of a line's discount belonging to units ``before+1 .. now`` (cumulative rounding)."""
    def alloc(n: int) -> Decimal:
        return won(line_discount * Decimal(n) / Decimal(quantity))

    return alloc(now) - alloc(before)
