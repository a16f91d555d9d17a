import json
from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.core import mail
from django.utils import timezone

from kkot.catalog.models import Variant
from kkot.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.models import (
    ClaimStatus,
    Notification,
    Order,
    OrderStatus,
    Payment,
    PaymentStatus,
    PaymentWebhookEvent,
    Refund,
    SettlementLine,
)
from kkot.orders.payments import sign
from kkot.orders.services.claims import ClaimItem, claim_approve, claim_reject, claim_request
from kkot.orders.services.lifecycle import (
    order_confirm,
    order_mark_delivered,
    order_ship,
    order_transition,
    orders_accept,
)
from kkot.orders.services.payments import payment_refund, payment_webhook_receive
from kkot.orders.tasks import orders_auto_confirm_task
from kkot.orders.tests.factories import coupon, place, variant

pytestmark = pytest.mark.django_db


@pytest.fixture
def bought():
    return _buy()


def _buy():
    store = make_store(shipping_base_fee=3000, shipping_free_over=None)
    owner = store.memberships.get().user
    p = make_product(store=store)
    buyer = make_user()
    coupon(store, code="C10", kind="percent", amount=None, percent=10)
    purchase = place(buyer, [(variant(p, "블랙 / M").pk, 3), (variant(p, "화이트 / M").pk, 1)], coupons={store.pk: "C10"})
    order = purchase.orders.get()
    return store, owner, buyer, order


def test_full_lifecycle_with_audit_notifications_and_settlement(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        store, owner, buyer, order = _buy()
        assert orders_accept(store=store, actor=owner, order_ids=[order.pk]) == 1
        order_ship(order=order, actor=owner, carrier="cj", tracking_number="1234-5678-9012")
        order_mark_delivered(order=order)
        order_mark_delivered(order=order)  # carrier repeats itself: no error, no duplicate event
        order = order_confirm(order=Order.objects.get(pk=order.pk), actor=buyer)
    assert order.status == OrderStatus.CONFIRMED
    assert list(order.events.filter(kind="status").values_list("to_status", "actor_role")) == [
        ("paid", "system"), ("preparing", "seller"), ("shipping", "seller"), ("delivered", "system"),
        ("confirmed", "shopper")]
    assert Notification.objects.filter(user=buyer).count() == 5
    assert Notification.objects.filter(store=store).count() == 2  # new order, confirmed
    assert any("발송" in m.subject for m in mail.outbox)
    lines = list(SettlementLine.objects.filter(order=order).order_by("line_id"))
    # 3 x 29,000 + 1 x 30,000 = 117,000; 10% coupon = 11,700 allocated 8,700 / 3,000; shipping 3,000
    assert [(s.sale_amount, s.discount, s.shipping_fee) for s in lines] == [(D(87000), D(8700), D(3000)),
                                                                           (D(30000), D(3000), D(0))]
    assert sum(s.sale_amount - s.discount + s.shipping_fee for s in lines) == order.total
    assert all(s.net_amount == s.sale_amount - s.discount + s.shipping_fee - s.platform_fee - s.payment_fee for s in lines)


def test_illegal_transitions_are_refused_with_a_clear_error(bought):
    store, owner, buyer, order = bought
    with pytest.raises(Conflict) as exc:
        order_transition(order=order, to=OrderStatus.DELIVERED, actor=owner, role="seller")
    assert exc.value.code == "illegal_transition" and "결제완료" in exc.value.message
    with pytest.raises(Conflict):
        order_confirm(order=order, actor=buyer)  # not delivered yet
    with pytest.raises(ValidationError):
        order_ship(order=order, actor=owner, carrier="cj", tracking_number="abc")
    with pytest.raises(ValidationError):
        order_ship(order=order, actor=owner, carrier="ups", tracking_number="123456789012")
    with pytest.raises(PermissionDenied):
        orders_accept(store=store, actor=make_user(), order_ids=[order.pk])
    other = make_store()
    with pytest.raises(NotFound):  # another seller, own store, this store's order id
        orders_accept(store=other, actor=other.memberships.get().user, order_ids=[order.pk])
    order.refresh_from_db()
    assert order.status == OrderStatus.PAID


def test_partial_cancel_of_a_discounted_line_refunds_exact_won_and_shipping_only_at_the_end(bought):
    store, owner, buyer, order = bought
    black = order.lines.get(variant_label="블랙 / M")  # 3 x 29,000, discount 8,700
    white = order.lines.get(variant_label="화이트 / M")  # 1 x 30,000, discount 3,000
    c1 = claim_request(order_id=order.pk, user=buyer, kind="cancel", reason="change_of_mind",
                       items=[ClaimItem(black.pk, 1)])
    assert c1.status == ClaimStatus.COMPLETED and c1.refund_amount == D(29000 - 2900)
    c2 = claim_request(order_id=order.pk, user=buyer, kind="cancel", reason="change_of_mind",
                       items=[ClaimItem(black.pk, 2), ClaimItem(white.pk, 1)])
    # the rest of the line discounts (8,700 - 2,900 and 3,000) and now the shipping fee, since nothing is left
    assert c2.refund_amount == D(58000 - 5800 + 30000 - 3000 + 3000)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELLED and order.shipping_refunded
    payment = Payment.objects.get(purchase=order.purchase)
    assert payment.refunded == payment.amount == order.total and payment.status == PaymentStatus.REFUNDED
    assert sum(Refund.objects.filter(order=order).values_list("amount", flat=True)) == order.total
    assert Variant.objects.get(pk=black.variant_id).stock == 5  # all released


def test_refund_can_never_exceed_what_was_paid(bought):
    _store, _owner, _buyer, order = bought
    with pytest.raises(Conflict) as exc:
        payment_refund(order=order, amount=order.total + 1, reason="x", idempotency_key="too-much")
    assert exc.value.code == "refund_exceeds_payment"
    assert not Refund.objects.exists()


def test_return_after_delivery_with_change_of_mind_deducts_return_shipping(bought):
    store, owner, buyer, order = bought
    order_ship(order=order, actor=owner, carrier="cj", tracking_number="123456789012")
    order_mark_delivered(order=order)
    white = order.lines.get(variant_label="화이트 / M")
    claim = claim_request(order_id=order.pk, user=buyer, kind="return", reason="change_of_mind",
                          items=[ClaimItem(white.pk, 1)], detail="색이 생각과 달라요")
    with pytest.raises(Conflict):
        order_confirm(order=Order.objects.get(pk=order.pk), actor=buyer)  # a claim is open
    stock_before = Variant.objects.get(pk=white.variant_id).stock
    claim = claim_approve(store=store, actor=owner, claim_id=claim.pk)
    assert claim.return_shipping_fee == D(3000)  # one way: the order paid shipping
    assert claim.refund_amount == D(30000 - 3000 - 3000)
    assert Variant.objects.get(pk=white.variant_id).stock == stock_before + 1
    with pytest.raises(Conflict):
        claim_approve(store=store, actor=owner, claim_id=claim.pk)  # already done
    order = order_confirm(order=Order.objects.get(pk=order.pk), actor=buyer)
    lines = SettlementLine.objects.filter(order=order)
    paid = Payment.objects.get(purchase=order.purchase)
    assert sum(s.sale_amount - s.discount + s.shipping_fee for s in lines) == paid.amount - paid.refunded


def test_cancel_after_dispatch_becomes_a_return_and_seller_can_reject(bought):
    store, owner, buyer, order = bought
    order_ship(order=order, actor=owner, carrier="cj", tracking_number="123456789012")
    claim = claim_request(order_id=order.pk, user=buyer, kind="cancel", reason="defective",
                          items=[ClaimItem(order.lines.first().pk, 1)])
    assert claim.kind == "return" and claim.status == ClaimStatus.REQUESTED
    with pytest.raises(ValidationError):
        claim_reject(store=store, actor=owner, claim_id=claim.pk, reason="")
    claim = claim_reject(store=store, actor=owner, claim_id=claim.pk, reason="사용 흔적이 있습니다")
    assert claim.status == ClaimStatus.REJECTED
    with pytest.raises(NotFound):
        claim_request(order_id=order.pk, user=make_user(), kind="cancel", reason="other",
                      items=[ClaimItem(order.lines.first().pk, 1)])  # another shopper's order


def test_auto_confirm_runs_through_the_task_queue_idempotently(bought):
    store, owner, buyer, order = bought
    order_ship(order=order, actor=owner, carrier="cj", tracking_number="123456789012")
    order_mark_delivered(order=order, at=timezone.now() - timedelta(days=8))
    assert orders_auto_confirm_task.call() == 1
    assert orders_auto_confirm_task.call() == 0
    order.refresh_from_db()
    assert order.status == OrderStatus.CONFIRMED and SettlementLine.objects.filter(order=order).count() == 2
    assert order.events.get(to_status="confirmed").actor_role == "system"


def _hook(event_id, kind, payment, amount=None, secret=None):
    body = json.dumps({"id": event_id, "type": kind, "payment_ref": payment.provider_ref,
                       "amount": int(amount if amount is not None else payment.amount)}).encode()
    return {"X-Kkot-Signature": sign(body, secret)}, body


def test_bank_transfer_deposit_webhook_twice_out_of_order_and_forged():
    store = make_store()
    p = make_product(store=store)
    buyer = make_user()
    purchase = place(buyer, [(variant(p, "블랙 / M").pk, 1)], provider="bank_transfer", params={})
    payment = Payment.objects.get(purchase=purchase)
    order = purchase.orders.get()
    assert payment.status == PaymentStatus.PENDING and payment.vbank_account and payment.deposit_deadline
    headers, body = _hook("ev-1", "deposit.received", payment, secret=b"wrong")
    with pytest.raises(ValidationError) as exc:
        payment_webhook_receive(provider="bank_transfer", headers=headers, body=body)
    assert exc.value.code == "bad_signature" and not PaymentWebhookEvent.objects.exists()
    headers, body = _hook("ev-0", "deposit.received", payment, amount=1)
    assert payment_webhook_receive(provider="bank_transfer", headers=headers, body=body) == "amount_mismatch"
    headers, body = _hook("ev-1", "deposit.received", payment)
    assert payment_webhook_receive(provider="bank_transfer", headers=headers, body=body) == "paid"
    assert payment_webhook_receive(provider="bank_transfer", headers=headers, body=body) == "duplicate"
    late_cancel = _hook("ev-2", "payment.cancelled", payment)
    assert payment_webhook_receive(provider="bank_transfer", headers=late_cancel[0], body=late_cancel[1]) == \
        "ignored_paid"
    order.refresh_from_db()
    payment.refresh_from_db()
    assert order.status == OrderStatus.PAID and payment.status == PaymentStatus.PAID
    assert order.events.filter(to_status="paid").count() == 1
    with pytest.raises(ValidationError) as exc:
        payment_webhook_receive(provider="bank_transfer", headers={"X-Kkot-Signature": sign(b"{")}, body=b"{")
    assert exc.value.code == "malformed"


def test_unpaid_virtual_account_cancels_after_deadline_and_late_deposit_is_refunded():
    from kkot.orders.services.payments import payments_expire

    p = make_product()
    v = variant(p, "블랙 / M")
    purchase = place(make_user(), [(v.pk, 2)], provider="bank_transfer", params={})
    payment = Payment.objects.get(purchase=purchase)
    assert payments_expire(now=payment.deposit_deadline + timedelta(seconds=1)) == 1
    assert Variant.objects.get(pk=v.pk).stock == 5
    headers, body = _hook("late-1", "deposit.received", payment)
    assert payment_webhook_receive(provider="bank_transfer", headers=headers, body=body) == \
        "late_payment_refund_required"
    assert purchase.orders.get().status == OrderStatus.CANCELLED
