"""Twelve months of demo orders, written in bulk with exactly the invariants the order services keep.

Purchases come from :mod:`kkot.demo.order_plans` (consistent with the event log). Each purchase is priced with
:mod:`kkot.orders.pricing` (shipping per store and postcode, coupon discount and its allocation to the lines,
refund shares), lives through the order state machine up to "now" (결제대기 → 결제완료 → 상품준비중 → 배송중 →
배송완료 → 구매확정, with cancellations, returns and exchanges), and leaves the rows the services would have left:
orders and lines, the purchase's payment and its refunds, claims, coupon redemptions, the ``OrderEvent`` audit
trail, and settlement lines (computed by :func:`kkot.orders.services.settlement.settlement_amounts`) for confirmed
orders. The data is a fixed point of the periodic jobs: no pending payment is past its deadline and no delivered
order without an open claim is older than the auto-confirm delay.

The package: :mod:`.rules` (the marketplace's rates and habits), :mod:`.rows` (in-memory rows and bulk
inserts), :mod:`.coupons`, :mod:`.timeline` (when each step happens), :mod:`.claims`, :mod:`.writer` (one
purchase at a time) and :mod:`.build` (the whole run in one transaction).

Stock: ``Variant.stock`` in the demo catalog is *today's* count, i.e. what is left after the year's sales and the
sellers' restocks, so orders that have already shipped do not change it. Orders still waiting for dispatch
(결제대기/결제완료/상품준비중) hold their units the way checkout reserves them: they buy an option that has the units,
which are taken from its stock (never below zero); cancelling one later gives back units that existed.

Dispatch habits differ per store (``DISPATCH_HABIT``: one same-day store, one slow, one made-to-order); nobody
picks up or delivers on Sundays and Korean public holidays, and chilled food is not sent the day before one.
One store (``SLOW_STORE``) gets slower in the last 30 days: dispatch takes 1.5-3.5 days longer and carriers 1-2 days
longer, so analytics can find "delivery got slow last month"; a few more of its orders are cancelled for 배송지연.
"""

from kkot.demo.orders.build import build_orders
from kkot.demo.orders.coupons import create_coupons
from kkot.demo.orders.rules import SLOW_STORE

__all__ = ["SLOW_STORE", "build_orders", "create_coupons"]
