from datetime import timedelta
from decimal import Decimal as D

import pytest
from django.utils import timezone

from kkot.catalog.models import Variant
from kkot.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.models import Coupon, Notification, Order, OrderEvent, Payment, Refund
from kkot.orders.selectors.seller import OrderFilters, order_list_page, order_status_counts
from kkot.orders.selectors.settlement import SettlementFilters, settlement_export_rows, settlement_summary
from kkot.orders.services.claims import ClaimItem, claim_approve, claim_request
from kkot.orders.services.coupons import coupon_create, coupon_deactivate
from kkot.orders.services.lifecycle import order_confirm, order_mark_delivered, order_ship
from kkot.orders.services.seller_actions import order_cancel_by_seller, store_webhook_secret_rotate
from kkot.orders.tests.factories import coupon, place, variant
from kkot.stores.services import staff_add

pytestmark = pytest.mark.django_db


def _shop(**kw):
    store = make_store(shipping_base_fee=3000, shipping_free_over=None, **kw)
    owner = store.memberships.get().user
    return store, owner, make_product(store=store)


def _coupon_kw(**over):
    now = timezone.now()
    kw = dict(code="spring10", name="봄 10%", kind="percent", percent="10", max_discount="5,000", min_order="20000",
              starts_at=now, ends_at=now + timedelta(days=7), audience="regulars", usage_limit="100")
    kw.update(over)
    return kw


def test_coupon_create_percent_and_fixed_then_deactivate():
    store, owner, _p = _shop()
    c = coupon_create(store=store, actor=owner, **_coupon_kw())
    assert (c.code, c.kind, c.percent, c.max_discount, c.min_order, c.audience, c.usage_limit, c.is_active) == (
        "SPRING10", "percent", 10, D(5000), D(20000), "regulars", 100, True)
    f = coupon_create(store=store, actor=owner, **_coupon_kw(code="WELCOME", kind="fixed", amount="3000", percent="",
                                                             max_discount="", audience="first", usage_limit=""))
    assert (f.amount, f.percent, f.max_discount, f.usage_limit, f.audience) == (D(3000), None, None, None, "first")
    assert coupon_deactivate(store=store, actor=owner, coupon_id=c.pk).is_active is False
    assert coupon_deactivate(store=store, actor=owner, coupon_id=c.pk).is_active is False  # idempotent
    other_store, other_owner, _ = _shop()
    with pytest.raises(NotFound):
        coupon_deactivate(store=other_store, actor=other_owner, coupon_id=f.pk)
    assert Coupon.objects.get(pk=f.pk).is_active is True


def test_coupon_create_reports_every_bad_field_in_korean():
    store, owner, _p = _shop()
    coupon(store, code="TAKEN")
    now = timezone.now()
    with pytest.raises(ValidationError) as exc:
        coupon_create(store=store, actor=owner, code="taken", name="", kind="percent", percent="95",
                      max_discount="-1", min_order="1.5", starts_at=now, ends_at=now - timedelta(hours=1),
                      audience="vip", usage_limit="0")
    assert exc.value.code == "invalid_coupon"
    assert exc.value.details == {
        "code": ["이미 있는 쿠폰 코드입니다: TAKEN"],
        "name": ["쿠폰 이름을 입력해 주세요."],
        "percent": ["할인율은 1%에서 90% 사이로 입력해 주세요."],
        "max_discount": ["1원에서 10,000,000원 사이로 입력해 주세요."],
        "min_order": ["원 단위 정수로 입력해 주세요(소수점 없음)."],
        "ends_at": ["종료 일시는 시작 일시보다 뒤여야 합니다."],
        "audience": ["쿠폰 대상을 선택해 주세요."],
        "usage_limit": ["발행 한도는 1에서 1,000,000 사이로 입력해 주세요. 비우면 제한 없음입니다."],
    }
    with pytest.raises(ValidationError) as exc:
        coupon_create(store=store, actor=owner, **_coupon_kw(code="a b", kind="fixed", amount="", percent=""))
    assert exc.value.details == {"code": ["쿠폰 코드는 영문 대문자, 숫자, -, _ 3~30자입니다. 예: SPRING10"],
                                 "amount": ["금액을 입력해 주세요."]}
    with pytest.raises(ValidationError) as exc:
        coupon_create(store=store, actor=owner, **_coupon_kw(kind="fixed", amount="30000", min_order="20000",
                                                             ends_at=now - timedelta(days=1), starts_at=now - timedelta(days=2)))
    assert exc.value.details == {"amount": ["할인 금액이 최소 주문금액보다 클 수 없습니다."],
                                 "ends_at": ["이미 끝난 기간입니다. 종료 일시를 확인해 주세요."]}
    assert Coupon.objects.count() == 1


def test_viewer_cannot_create_coupons_or_cancel():
    store, owner, p = _shop()
    viewer = make_user(email="v@example.com")
    staff_add(store=store, actor=owner, email=viewer.email, role="viewer")
    with pytest.raises(PermissionDenied):
        coupon_create(store=store, actor=viewer, **_coupon_kw())
    order = place(make_user(), [(variant(p, "블랙 / M").pk, 1)]).orders.get()
    with pytest.raises(PermissionDenied):
        order_cancel_by_seller(store=store, actor=viewer, order_id=order.pk, reason="재고 없음")
    assert Order.objects.get(pk=order.pk).status == "paid"


def test_seller_cancel_refunds_everything_releases_stock_and_tells_the_shopper(django_capture_on_commit_callbacks):
    store, owner, p = _shop()
    buyer = make_user()
    coupon(store, code="C10", kind="percent", amount=None, percent=10)
    bm, wm = variant(p, "블랙 / M"), variant(p, "화이트 / M")
    order = place(buyer, [(bm.pk, 3), (wm.pk, 1)], coupons={store.pk: "C10"}).orders.get()
    assert order.total == D(29000 * 3 + 30000) - D(11700) + D(3000)
    with pytest.raises(ValidationError) as exc:
        order_cancel_by_seller(store=store, actor=owner, order_id=order.pk, reason="  ")
    assert exc.value.message == "취소 사유를 입력해 주세요. 구매자에게 전달됩니다."
    with django_capture_on_commit_callbacks(execute=True):
        claim = order_cancel_by_seller(store=store, actor=owner, order_id=order.pk, reason="재고가 없습니다")
    order.refresh_from_db()
    assert (order.status, order.shipping_refunded) == ("cancelled", True)
    assert (claim.kind, claim.status, claim.reason, claim.detail, claim.refund_amount) == (
        "cancel", "completed", "other", "재고가 없습니다", order.total)
    assert [int(r.amount) for r in Refund.objects.filter(order=order)] == [int(order.total)]
    assert Payment.objects.get(purchase=order.purchase_id).status == "refunded"
    assert Variant.objects.get(pk=bm.pk).stock == 5 and Variant.objects.get(pk=wm.pk).stock == 3
    ev = list(OrderEvent.objects.filter(order=order).order_by("pk").values_list("kind", "actor_role", "to_status"))
    assert ev[-2:] == [("claim_cancel_requested", "seller", ""), ("status", "seller", "cancelled")]
    assert Notification.objects.filter(user=buyer, kind="order_cancelled").count() == 1
    with pytest.raises(Conflict):  # cancelled already
        order_cancel_by_seller(store=store, actor=owner, order_id=order.pk, reason="다시")
    shipped = place(buyer, [(bm.pk, 1)]).orders.get()
    order_ship(order=shipped, actor=owner, carrier="cj", tracking_number="123456789012")
    with pytest.raises(Conflict) as exc:
        order_cancel_by_seller(store=store, actor=owner, order_id=shipped.pk, reason="늦게")
    assert exc.value.message == "결제완료 또는 상품준비중인 주문만 판매자가 취소할 수 있습니다(현재: 배송중)."
    other_store, other_owner, _ = _shop()
    with pytest.raises(NotFound):
        order_cancel_by_seller(store=other_store, actor=other_owner, order_id=shipped.pk, reason="x")


def test_webhook_secret_rotate_owner_only():
    store, owner, _p = _shop()
    manager = make_user(email="m@example.com")
    staff_add(store=store, actor=owner, email=manager.email, role="manager")
    with pytest.raises(PermissionDenied):
        store_webhook_secret_rotate(store=store, actor=manager)
    s1 = store_webhook_secret_rotate(store=store, actor=owner)
    s2 = store_webhook_secret_rotate(store=store, actor=owner)
    assert len(s1) == len(s2) == 64 and s1 != s2 and s1.startswith("whsec_")
    store.refresh_from_db()
    assert store.webhook_secret == s2


def _confirmed(store, owner, buyer, items, **kw):
    order = place(buyer, items, **kw).orders.get()
    order_ship(order=order, actor=owner, carrier="cj", tracking_number="123456789012")
    order_mark_delivered(order=order)
    return order


def test_settlement_totals_exact_to_the_won_and_reconcile_with_payments_minus_refunds(settings):
    settings.KKOT_PLATFORM_FEE_RATE = 0.055
    store, owner, p = _shop()
    buyer, buyer2 = make_user(), make_user()
    coupon(store, code="C10", kind="percent", amount=None, percent=10)
    a = _confirmed(store, owner, buyer, [(variant(p, "블랙 / M").pk, 3), (variant(p, "화이트 / M").pk, 1)],
                   coupons={store.pk: "C10"})
    # A 단순변심 return of one unit: the shopper pays the return shipping, the seller keeps it.
    line = a.lines.get(variant__label="블랙 / M")
    claim = claim_request(order_id=a.pk, user=buyer, kind="return", reason="change_of_mind",
                          items=[ClaimItem(line.pk, 1)])
    claim_approve(store=store, actor=owner, claim_id=claim.pk)
    b = _confirmed(store, owner, buyer2, [(variant(p, "화이트 / L").pk, 2)])
    for o in (a, b):
        order_confirm(order=o, actor=None, role="system")
    day = timezone.localdate() + timedelta(days=settings.KKOT_SETTLEMENT_DAYS)
    f = SettlementFilters(day, day)
    s = settlement_summary(store=store, filters=f)
    # a: 3x29000 + 1x30000 = 117000, coupon 11700 (8700 + 3000); return 1 black: refund 29000 - 2900 - 3000 fee.
    # b: 2 x 30000 = 60000, no coupon, 3000 shipping.
    assert s.count == 3 and s.orders == 2
    # Per line (platform 5.5% of sale - discount, test card 3.3% of sale - discount + shipping, half up):
    # a/black 58000 - 5800 + (3000 + 3000 kept return fee) - 2871 - 1921 = 53408
    # a/white 30000 - 3000 + 0 - 1485 - 891 = 24624;  b 60000 - 0 + 3000 - 3300 - 2079 = 57621
    assert {k: int(v) for k, v in s.totals.items()} == {
        "sale_amount": 148000, "discount": 8800, "shipping_fee": 9000, "platform_fee": 7656, "payment_fee": 4891,
        "net_amount": 53408 + 24624 + 57621,
    }
    assert int(s.paid) == (117000 - 11700 + 3000) + (60000 + 3000)
    assert int(s.refunded) == 29000 - 2900 - 3000
    assert s.settled_gross == s.paid - s.refunded and s.reconciles and s.difference == 0
    assert s.totals["net_amount"] == (s.totals["sale_amount"] - s.totals["discount"] + s.totals["shipping_fee"]
                                      - s.totals["platform_fee"] - s.totals["payment_fee"])
    header, rows = settlement_export_rows(store=store, filters=f)
    assert header[:4] == ["정산일", "정산상태", "구매확정일", "주문번호"]
    assert rows[-1][0] == "합계" and rows[-1][6] == 2 + 1 + 2
    assert rows[-1][7:] == [int(s.totals[k]) for k in ("sale_amount", "discount", "shipping_fee", "platform_fee",
                                                         "payment_fee", "net_amount")]
    assert [sum(r[i] for r in rows[:-1]) for i in range(7, 13)] == rows[-1][7:]
    # Another day: nothing; another store sees nothing of this one.
    assert settlement_summary(store=store, filters=SettlementFilters(day + timedelta(days=1), day + timedelta(days=9))).count == 0
    other, _o, _p = _shop()
    assert settlement_summary(store=other, filters=f).count == 0


def test_status_counts_include_open_claims_by_kind_and_paginator_reuses_them():
    store, owner, p = _shop()
    buyer = make_user()
    orders = [place(buyer, [(variant(p, "블랙 / M").pk, 1)]).orders.get() for _ in range(3)]
    d = _confirmed(store, owner, buyer, [(variant(p, "화이트 / M").pk, 1)])
    claim_request(order_id=d.pk, user=buyer, kind="return", reason="defective", items=[ClaimItem(d.lines.get().pk, 1)])
    counts = order_status_counts(store=store)
    assert counts == {"all": 4, "pending_payment": 0, "paid": 3, "preparing": 0, "shipping": 0, "delivered": 1,
                      "claim_cancel": 0, "claim_return": 1, "claim_exchange": 0, "confirmed": 0, "cancelled": 0,
                      "returned": 0}
    data = order_list_page(store=store, filters=OrderFilters(tab="claim_return"))
    assert [o.pk for o in data.page] == [d.pk]
    data = order_list_page(store=store, filters=OrderFilters(tab="paid"), per_page=2)
    assert data.page.paginator.count == 3 and [o.pk for o in data.page] == [orders[2].pk, orders[1].pk]
    assert [o.pk for o in order_list_page(store=store, filters=OrderFilters(q=orders[0].number)).page] == [orders[0].pk]
    assert [o.pk for o in order_list_page(store=store, filters=OrderFilters(q="김구매")).page] == [
        d.pk, orders[2].pk, orders[1].pk, orders[0].pk]
    assert list(order_list_page(store=store, filters=OrderFilters(q="없는상품")).page) == []
