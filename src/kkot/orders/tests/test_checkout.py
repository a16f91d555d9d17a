from decimal import Decimal as D

import pytest

from kkot.catalog.models import Variant
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.models import Order, OrderStatus, Payment, PaymentStatus, Purchase
from kkot.orders.services.cart import cart_add, cart_get, cart_merge
from kkot.orders.services.checkout import AddressInput, checkout_place
from kkot.orders.services.quote import checkout_quote
from kkot.orders.tests.factories import APPROVE, DECLINE, SEOUL_ADDR, TIMEOUT, coupon, key, place, variant
from kkot.stores.services import store_follow

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    store = make_store(shipping_base_fee=3000, shipping_free_over=50000)
    p = make_product(store=store)  # 29,000 sale price; 화이트 +1,000
    return store, p


def test_two_stores_one_checkout_with_each_stores_shipping_rules(shop):
    store, p = shop
    other = make_product(store=make_store(shipping_base_fee=2500, shipping_free_over=None), code="O1")
    buyer = make_user()
    items = [(variant(p, "블랙 / M").pk, 1), (variant(p, "화이트 / M").pk, 1), (variant(other, "블랙 / M").pk, 2)]
    q = checkout_quote(user=buyer, items=items, postcode="04001")
    assert [(s.items_total, s.shipping_fee) for s in q.stores] == [(D(59000), D(0)), (D(58000), D(2500))]
    purchase = place(buyer, items)
    assert purchase.grand_total == D(59000 + 58000 + 2500)
    orders = list(purchase.orders.order_by("number"))
    assert [o.status for o in orders] == [OrderStatus.PAID, OrderStatus.PAID]
    assert [o.total for o in orders] == [D(59000), D(60500)]
    assert Payment.objects.get(purchase=purchase).status == PaymentStatus.PAID
    assert Variant.objects.get(pk=variant(p, "블랙 / M").pk).stock == 4  # 5 - 1


def test_jeju_surcharge_added_per_store_shipment(shop):
    store, p = shop
    addr = AddressInput("김제주", "010-1111-2222", "63100", "제주시 1")
    q = checkout_quote(user=make_user(), items=[(variant(p, "블랙 / M").pk, 1)], postcode=addr.postcode)
    assert q.shipping_total == D(3000 + 3000)


def test_tampered_total_or_quantity_changes_nothing(shop):
    store, p = shop
    buyer = make_user()
    v = variant(p, "블랙 / M")
    with pytest.raises(Conflict) as exc:
        place(buyer, [(v.pk, 1)], total=D(100))
    assert exc.value.code == "price_changed"
    for bad in ([(v.pk, -1)], [(v.pk, 0)], [(v.pk, "abc")], [(999999, 1)]):
        with pytest.raises((ValidationError, NotFound)):
            place(buyer, bad, total=D(1))
    assert not Purchase.objects.exists() and Variant.objects.get(pk=v.pk).stock == 5


def test_address_without_postcode_is_refused(shop):
    _store, p = shop
    with pytest.raises(ValidationError) as exc:
        checkout_place(user=make_user(), items=[(variant(p, "블랙 / M").pk, 1)], provider="test_card",
                       address=AddressInput("김", "010-1234-5678", "", "서울"), idempotency_key=key(),
                       expected_total=D(32000), payment_params=APPROVE)
    assert exc.value.code == "invalid_address" and "postcode" in exc.value.details
    assert not Purchase.objects.exists()


def test_declined_card_releases_stock_and_cancels(shop):
    _store, p = shop
    v = variant(p, "블랙 / M")
    purchase = place(make_user(), [(v.pk, 2)], params=DECLINE)
    order = purchase.orders.get()
    assert order.status == OrderStatus.CANCELLED
    assert Payment.objects.get(purchase=purchase).status == PaymentStatus.FAILED
    assert Variant.objects.get(pk=v.pk).stock == 5
    assert list(order.events.values_list("from_status", "to_status")) == [("", "pending_payment"),
                                                                          ("pending_payment", "cancelled")]


def test_timeout_holds_stock_until_the_deadline_job(shop):
    from datetime import timedelta

    from django.utils import timezone

    from kkot.orders.services.payments import payments_expire

    _store, p = shop
    v = variant(p, "블랙 / M")
    purchase = place(make_user(), [(v.pk, 2)], params=TIMEOUT)
    assert purchase.orders.get().status == OrderStatus.PENDING_PAYMENT
    assert Variant.objects.get(pk=v.pk).stock == 3
    assert payments_expire() == 0  # not yet
    later = timezone.now() + timedelta(minutes=31)
    assert payments_expire(now=later) == 1
    assert payments_expire(now=later) == 0  # idempotent
    assert Variant.objects.get(pk=v.pk).stock == 5
    assert purchase.orders.get().status == OrderStatus.CANCELLED


def test_same_idempotency_key_twice_places_one_order(shop):
    _store, p = shop
    buyer = make_user()
    v = variant(p, "블랙 / M")
    k = key()
    args = dict(user=buyer, items=[(v.pk, 1)], address=SEOUL_ADDR, provider="test_card", idempotency_key=k,
                expected_total=D(32000), payment_params=APPROVE)
    first = checkout_place(**args)
    second = checkout_place(**args)
    assert first.pk == second.pk and Order.objects.count() == 1 and Variant.objects.get(pk=v.pk).stock == 4


def test_out_of_stock_is_refused_with_the_remaining_count(shop):
    _store, p = shop
    v = variant(p, "화이트 / L")  # 2 in stock
    with pytest.raises(Conflict) as exc:
        place(make_user(), [(v.pk, 3)])
    assert exc.value.code == "out_of_stock" and "2개" in exc.value.message


def test_coupons_rules(shop):
    store, p = shop
    other_store = make_store()
    buyer = make_user()
    v = variant(p, "블랙 / M")
    coupon(store, code="FIX3000")
    coupon(store, code="PCT10", kind="percent", amount=None, percent=10, max_discount=D(10000))
    coupon(store, code="REG", audience="regulars")
    coupon(store, code="OLD", starts_at=coupon(other_store, code="X").starts_at.replace(year=2020),
           ends_at=coupon(other_store, code="Y").ends_at.replace(year=2021))
    coupon(other_store, code="OTHER")
    coupon(store, code="MIN", min_order=D(100000))
    items = [(v.pk, 1)]
    assert checkout_quote(user=buyer, items=items, postcode="04001", coupons={store.pk: "fix3000"}).discount_total == D(3000)
    assert checkout_quote(user=buyer, items=items, postcode="04001", coupons={store.pk: "PCT10"}).discount_total == D(2900)
    for code, err in [("OTHER", "coupon_invalid"), ("OLD", "coupon_expired"), ("REG", "coupon_regulars_only"),
                      ("MIN", "coupon_min_order")]:
        with pytest.raises(ValidationError) as exc:
            checkout_quote(user=buyer, items=items, postcode="04001", coupons={store.pk: code})
        assert exc.value.code == err
    with pytest.raises(ValidationError) as exc:  # another store's coupon id in the map
        checkout_quote(user=buyer, items=items, postcode="04001", coupons={other_store.pk: "OTHER"})
    assert exc.value.code == "coupon_invalid"
    store_follow(store=store, user=buyer)
    purchase = place(buyer, items, coupons={store.pk: "REG"})
    assert purchase.discount_total == D(3000)
    with pytest.raises(ValidationError) as exc:
        place(buyer, items, coupons={store.pk: "REG"})
    assert exc.value.code == "coupon_used"


def test_first_purchase_coupon(shop):
    store, p = shop
    buyer = make_user()
    coupon(store, code="FIRST", audience="first")
    v = variant(p, "블랙 / M")
    place(buyer, [(v.pk, 1)], coupons={store.pk: "FIRST"})
    coupon(store, code="FIRST2", audience="first")
    with pytest.raises(ValidationError) as exc:
        place(buyer, [(v.pk, 1)], coupons={store.pk: "FIRST2"})
    assert exc.value.code == "coupon_first_only"


def test_guest_cart_merges_into_member_cart_on_login(shop):
    _store, p = shop
    buyer = make_user()
    guest = cart_get(session_key="sess-1", create=True)
    cart_add(cart=guest, variant_id=variant(p, "블랙 / M").pk, quantity=2)
    member = cart_get(user=buyer, create=True)
    cart_add(cart=member, variant_id=variant(p, "블랙 / M").pk, quantity=1)
    cart_add(cart=member, variant_id=variant(p, "화이트 / M").pk, quantity=1)
    merged = cart_merge(user=buyer, session_key="sess-1")
    assert sorted(merged.items.values_list("variant__label", "quantity")) == [("블랙 / M", 3), ("화이트 / M", 1)]
    assert cart_get(session_key="sess-1") is None
    with pytest.raises(ValidationError):
        cart_add(cart=merged, variant_id=variant(p, "블랙 / L").pk, quantity=1)  # 0 in stock
    with pytest.raises(ValidationError):
        cart_add(cart=merged, variant_id=variant(p, "블랙 / M").pk, quantity=-1)


def test_paid_purchase_clears_those_items_from_the_cart(shop):
    _store, p = shop
    buyer = make_user()
    cart = cart_get(user=buyer, create=True)
    cart_add(cart=cart, variant_id=variant(p, "블랙 / M").pk, quantity=1)
    cart_add(cart=cart, variant_id=variant(p, "화이트 / M").pk, quantity=1)
    place(buyer, [(variant(p, "블랙 / M").pk, 1)])
    assert list(cart.items.values_list("variant__label", flat=True)) == ["화이트 / M"]
    place(buyer, [(variant(p, "화이트 / M").pk, 1)], params=DECLINE)
    assert list(cart.items.values_list("variant__label", flat=True)) == ["화이트 / M"]  # kept after a decline


def test_payment_method_names_and_decline_messages_follow_the_request_language(shop):
    from django.utils import translation

    from kkot.orders.payments import providers

    with translation.override("en"):
        assert str(providers()["test_card"].name) == "Credit/debit card (test)"
        assert str(providers()["bank_transfer"].name) == "Bank transfer (virtual account)"
        _store, p = shop
        purchase = place(make_user(), [(variant(p, "블랙 / M").pk, 1)], params=DECLINE)
        assert Payment.objects.get(purchase=purchase).failure_message == "Insufficient funds."
    with translation.override("ko"):
        assert str(providers()["test_card"].name) == "신용/체크카드 (테스트)"
