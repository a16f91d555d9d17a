"""Exact checks of the demo orders against the rules the order services keep (used by test_demo.py; can also be
run against a full demo database: ``check_orders(info, settlement_replay=50)``)."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Count, Min, Sum

from kkot.catalog.models import Product, Variant
from kkot.events.models import Event
from kkot.orders.models import (
    Claim,
    ClaimKind,
    ClaimStatus,
    Coupon,
    CouponRedemption,
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Payment,
    PaymentStatus,
    Purchase,
    Refund,
    SettlementLine,
)
from kkot.orders.payments import get_provider
from kkot.orders.pricing import ZERO, discount_share
from kkot.orders.services.claims import return_shipping_fee
from kkot.orders.services.lifecycle import TIMESTAMP_FIELD, TRANSITIONS, validate_tracking
from kkot.orders.services.settlement import settlement_create
from kkot.stores.models import Store, StoreFollow

S = OrderStatus
PAID_LIKE = {PaymentStatus.PAID, PaymentStatus.PARTIALLY_REFUNDED, PaymentStatus.REFUNDED}


def check_orders(info: dict, *, settlement_replay: int | None = None) -> Counter:
    """Assert every invariant; returns the count of orders per status."""
    end = datetime.fromisoformat(info["built_at"])
    orders = {o.pk: o for o in Order.objects.all()}
    assert len(orders) == info["orders"]
    lines_by_order = defaultdict(list)
    for ln in OrderLine.objects.order_by("pk"):
        lines_by_order[ln.order_id].append(ln)
    refunds_by_order = defaultdict(lambda: ZERO)
    refunds_by_payment = defaultdict(lambda: ZERO)
    for r in Refund.objects.all():
        refunds_by_order[r.order_id] += r.amount
        refunds_by_payment[r.payment_id] += r.amount
        assert r.claim_id is not None and r.idempotency_key == f"claim-{r.claim_id}"
    claims = defaultdict(list)
    for c in Claim.objects.prefetch_related("lines"):
        claims[c.order_id].append(c)
    store_fee = dict(Store.objects.values_list("pk", "shipping_base_fee"))

    # Totals add up, per line, per order and per purchase.
    by_purchase = defaultdict(list)
    for o in orders.values():
        lines = lines_by_order[o.pk]
        assert lines, o.number
        for ln in lines:
            assert ln.subtotal == ln.unit_price * ln.quantity and ln.discount <= ln.subtotal
            assert ln.unit_price <= ln.list_unit_price
            assert ln.cancelled_qty + ln.returned_qty <= ln.quantity
        assert o.items_total == sum(ln.subtotal for ln in lines)
        assert o.discount_total == sum(ln.discount for ln in lines)
        assert o.total == o.items_total - o.discount_total + o.shipping_fee
        assert refunds_by_order[o.pk] <= o.total
        by_purchase[o.purchase_id].append(o)
    for p in Purchase.objects.all():
        os_ = by_purchase[p.pk]
        assert os_ and all(o.number.startswith(p.number + "-") and o.user_id == p.user_id for o in os_)
        assert p.items_total == sum(o.items_total for o in os_)
        assert p.discount_total == sum(o.discount_total for o in os_)
        assert p.shipping_total == sum(o.shipping_fee for o in os_)
        assert p.grand_total == sum(o.total for o in os_)

    # One payment per purchase; money in minus money out equals what the kept orders are worth.
    payments = {p.purchase_id: p for p in Payment.objects.all()}
    assert len(payments) == len(by_purchase) == Payment.objects.count()
    paid_in = refunded = kept_value = ZERO
    for pid, pay in payments.items():
        os_ = by_purchase[pid]
        assert pay.amount == sum(o.total for o in os_)
        assert pay.refunded == refunds_by_payment[pay.pk] <= pay.amount
        if pay.status in PAID_LIKE:
            assert pay.paid_at is not None and pay.fee == get_provider(pay.provider).fee(pay.amount)
            expected = (PaymentStatus.PAID if pay.refunded == 0 else
                        PaymentStatus.REFUNDED if pay.refunded == pay.amount else PaymentStatus.PARTIALLY_REFUNDED)
            assert pay.status == expected, (pay.status, expected)
            assert all(o.status != S.PENDING_PAYMENT for o in os_)
            paid_in += pay.amount
            refunded += pay.refunded
            kept_value += sum(o.total - refunds_by_order[o.pk] for o in os_)
        elif pay.status == PaymentStatus.PENDING:
            assert pay.deposit_deadline > end and pay.refunded == 0  # not expired yet
            assert all(o.status == S.PENDING_PAYMENT for o in os_)
        else:
            assert pay.status in (PaymentStatus.FAILED, PaymentStatus.CANCELLED) and pay.refunded == 0
            assert all(o.status == S.CANCELLED for o in os_)
            assert not CouponRedemption.objects.filter(order__in=os_).exists()  # given back
    assert paid_in - refunded == kept_value

    # Claims: units, refunds by the pricing rules, and order status.
    for oid, cs in claims.items():
        o, lines = orders[oid], {ln.pk: ln for ln in lines_by_order[oid]}
        assert len(cs) == 1
        c = cs[0]
        units = {cl.line_id: cl.quantity for cl in c.lines.all()}
        gross = sum(lines[lid].unit_price * q - discount_share(lines[lid].discount, lines[lid].quantity, 0, q)
                    for lid, q in units.items())
        if c.kind == ClaimKind.CANCEL:
            assert c.status == ClaimStatus.COMPLETED
            assert all(lines[lid].cancelled_qty == q for lid, q in units.items())
            whole = sum(units.values()) == sum(ln.quantity for ln in lines.values())
            assert o.shipping_refunded == whole and (o.status == S.CANCELLED) == whole
            assert c.refund_amount == gross + (o.shipping_fee if whole else 0) == refunds_by_order[oid]
        elif c.kind == ClaimKind.RETURN:
            done = c.status == ClaimStatus.COMPLETED
            fee = return_shipping_fee(reason=c.reason, base_fee=store_fee[o.store_id], order_shipping_fee=o.shipping_fee,
                                      refund=gross) if done else ZERO
            assert c.return_shipping_fee == fee and c.refund_amount == (gross - fee if done else 0)
            assert refunds_by_order[oid] == c.refund_amount
            assert all(lines[lid].returned_qty == (q if done else 0) for lid, q in units.items())
            whole = done and sum(units.values()) == sum(ln.quantity for ln in lines.values())
            assert (o.status == S.RETURNED) == whole
            if c.status == ClaimStatus.REQUESTED:
                assert o.status == S.DELIVERED
        else:
            assert c.kind == ClaimKind.EXCHANGE and refunds_by_order[oid] == 0
            for cl in c.lines.all():
                assert cl.exchange_variant_id and cl.exchange_variant_id != lines[cl.line_id].variant_id
                assert Variant.objects.get(pk=cl.exchange_variant_id).product_id == lines[cl.line_id].product_id
            if c.status in (ClaimStatus.REQUESTED, ClaimStatus.APPROVED):
                assert o.status == S.DELIVERED
    for oid in orders:
        if oid not in claims:
            assert refunds_by_order[oid] == 0
            assert all(ln.cancelled_qty == ln.returned_qty == 0 for ln in lines_by_order[oid])

    # Settlement for exactly the confirmed orders; it reconciles, and the real service computes the same rows.
    settled = defaultdict(list)
    for s in SettlementLine.objects.order_by("line_id"):
        settled[s.order_id].append(s)
        assert s.net_amount == s.sale_amount - s.discount + s.shipping_fee - s.platform_fee - s.payment_fee
    confirmed = [o for o in orders.values() if o.status == S.CONFIRMED]
    assert set(settled) == {o.pk for o in confirmed}
    for o in confirmed:
        rows = settled[o.pk]
        assert sum(r.sale_amount - r.discount + r.shipping_fee for r in rows) == o.total - refunds_by_order[o.pk]
        assert {r.line_id for r in rows} == {ln.pk for ln in lines_by_order[o.pk] if ln.active_qty}
        assert all(r.confirmed_at == o.confirmed_at and r.store_id == o.store_id for r in rows)
    replay = confirmed if settlement_replay is None else confirmed[:settlement_replay]
    fields = ["line_id", "quantity", "sale_amount", "discount", "shipping_fee", "platform_fee", "payment_fee",
              "net_amount", "settle_date"]
    for o in replay:
        ours = [[getattr(r, f) for f in fields] for r in settled[o.pk]]
        SettlementLine.objects.filter(order=o).delete()
        theirs = [[getattr(r, f) for f in fields] for r in settlement_create(order=o)]
        assert ours == theirs, (o.number, ours, theirs)

    # Status, timestamps and the audit trail agree; nothing lies in the future; the periodic jobs have nothing to do.
    events = defaultdict(list)
    for e in OrderEvent.objects.order_by("created_at", "pk"):
        events[e.order_id].append(e)
    for o in orders.values():
        evs = events[o.pk]
        assert evs[0].kind == "placed" and evs[0].created_at == o.created_at
        state = S.PENDING_PAYMENT
        for e in evs:
            assert e.created_at <= end
            if e.kind == "status":
                assert e.from_status == state and e.to_status in TRANSITIONS[state], (o.number, state, e.to_status)
                state = e.to_status
                if e.to_status in TIMESTAMP_FIELD:
                    assert getattr(o, TIMESTAMP_FIELD[e.to_status]) == e.created_at
        assert state == o.status, (o.number, state, o.status)
        stamps = [o.created_at, o.paid_at, o.accepted_at, o.shipped_at, o.delivered_at, o.confirmed_at]
        present = [t for t in stamps if t is not None]
        assert present == sorted(present) and all(t <= end for t in present)
        if o.shipped_at:
            assert validate_tracking(o.carrier, o.tracking_number) == o.tracking_number
        else:
            assert o.carrier == o.tracking_number == ""
    cutoff = end - timedelta(days=settings.KKOT_AUTO_CONFIRM_DAYS, hours=1)  # the job runs hourly
    open_claims = {c.order_id for cs in claims.values() for c in cs
                   if c.status in (ClaimStatus.REQUESTED, ClaimStatus.APPROVED)}
    assert not [o.number for o in orders.values()
                if o.status == S.DELIVERED and o.delivered_at <= cutoff and o.pk not in open_claims]

    # Coupons: used_count is the redemptions; regulars-only coupons went to regulars; discounts match the orders.
    used = Counter(CouponRedemption.objects.values_list("coupon_id", flat=True))
    follows = set(StoreFollow.objects.values_list("user_id", "store_id"))
    for c in Coupon.objects.all():
        assert c.used_count == used[c.pk] and (c.usage_limit is None or c.used_count <= c.usage_limit)
    for r in CouponRedemption.objects.select_related("coupon", "order"):
        assert r.discount == r.order.discount_total > 0 and r.order.store_id == r.coupon.store_id
        assert r.coupon.starts_at <= r.order.created_at < r.coupon.ends_at
        assert r.order.items_total >= r.coupon.min_order
        if r.coupon.audience == Coupon.Audience.REGULARS:
            assert (r.user_id, r.coupon.store_id) in follows

    # Events: each ordered product was viewed and carted (by someone) before the order.
    first = {(k, pid): t for k, pid, t in Event.objects.filter(kind__in=["product_view", "add_to_cart"])
             .values("kind", "product_id").annotate(t=Min("ts")).values_list("kind", "product_id", "t")}
    for o in orders.values():
        for ln in lines_by_order[o.pk]:
            for kind in ("product_view", "add_to_cart"):
                assert first.get((kind, ln.product_id), end) < o.created_at, (o.number, ln.product_id, kind)

    # Stock never negative, product totals agree; sales_count = units kept in live orders.
    assert not Variant.objects.filter(stock__lt=0).exists()
    stock = dict(Variant.objects.filter(is_active=True).values("product_id").annotate(s=Sum("stock"))
                 .values_list("product_id", "s"))
    sold = Counter()
    for o in orders.values():
        if o.status in (S.PAID, S.PREPARING, S.SHIPPING, S.DELIVERED, S.CONFIRMED):
            for ln in lines_by_order[o.pk]:
                sold[ln.product_id] += ln.active_qty
    for pk, total, sales in Product.objects.values_list("pk", "stock_total", "sales_count"):
        assert total == stock.get(pk, 0) and sales == sold[pk]
    return Counter(o.status for o in orders.values())


def delivery_days(store_slug: str, since: datetime, until: datetime | None = None) -> float:
    """Average days from payment to delivery for a store's orders paid in [since, until)."""
    qs = Order.objects.filter(store__slug=store_slug, delivered_at__isnull=False, paid_at__gte=since)
    if until is not None:
        qs = qs.filter(paid_at__lt=until)
    spans = [(d - p).total_seconds() / 86400 for p, d in qs.values_list("paid_at", "delivered_at")]
    return sum(spans) / len(spans) if spans else 0.0


def claim_counts() -> Counter:
    return Counter(dict(Claim.objects.values("kind").annotate(n=Count("id")).values_list("kind", "n")))


