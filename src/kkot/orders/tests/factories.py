"""Order test helpers: a shopper buying from stores built with kkot.core.testing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.models import Coupon
from kkot.orders.services.checkout import AddressInput, checkout_place
from kkot.orders.services.quote import checkout_quote

SEOUL_ADDR = AddressInput(recipient="김구매", phone="010-1234-5678", postcode="04001", address1="서울 마포구 월드컵로 1")
APPROVE = {"card_number": "4242 4242 4242 4242"}
DECLINE = {"card_number": "4000 0000 0000 0002"}
TIMEOUT = {"card_number": "4000 0000 0000 0119"}


def key() -> str:
    return uuid.uuid4().hex


def variant(product, label):
    return product.variants.get(label=label)


def place(user, items, *, params=APPROVE, provider="test_card", coupons=None, address=SEOUL_ADDR, total=None):
    q = checkout_quote(user=user, items=items, postcode=address.postcode, coupons=coupons)
    return checkout_place(user=user, items=items, address=address, provider=provider, idempotency_key=key(),
                          expected_total=q.grand_total if total is None else total, payment_params=params,
                          coupons=coupons)


def coupon(store, **kw):
    now = timezone.now()
    data = dict(code="SPRING", name="봄 할인", kind="fixed", amount=Decimal(3000), starts_at=now - timedelta(days=1),
                ends_at=now + timedelta(days=30))
    data.update(kw)
    return Coupon.objects.create(store=store, **data)


__all__ = ["make_product", "make_store", "make_user"]
