"""Tenant isolation and roles, walking every URL pattern of the sellercenter namespace.

New pages are covered automatically: each pattern's kwargs are filled from the first store's objects.
"""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import get_resolver, reverse

from kkot.accounts.models import ApiToken
from kkot.catalog.models import Product, ProductImage
from kkot.stores.models import StoreBanner, StoreMembership

ID_KWARGS = {"product_id", "image_id", "banner_id", "membership_id", "token_id", "order_id", "claim_id", "coupon_id",
             "shipment_id", "case_id", "review_id", "question_id"}
DOWNLOADS = ("import_template", "product_export", "category_fields", "order_export", "tracking_template",
             "settlement_export", "advisor_export", "advisor_ads_template")


def _patterns():
    resolver = get_resolver()
    _prefix, ns = resolver.namespace_dict["sellercenter"]
    out = []
    for p in ns.url_patterns:
        out.append((p.name, set(p.pattern.converters), p.callback))
    assert len(out) >= 20
    return out


def _kwargs(names, w, slug=None):
    values = {
        "slug": slug or w.store.slug, "product_id": w.product.pk, "image_id": w.image.pk, "banner_id": w.banner.pk,
        "membership_id": w.viewer_membership.pk, "token_id": w.token.pk, "category_id": w.product.category_id,
        "fmt": "csv", "order_id": w.order.pk, "claim_id": w.claim.pk, "coupon_id": w.coupon.pk,
        "shipment_id": w.order.shipments.get().pk, "case_id": _return_case_id(w),
        "review_id": _review_ids(w)[0], "question_id": _review_ids(w)[1],
    }
    missing = names - set(values)
    assert not missing, f"add a value for URL kwarg(s) {missing} in this test"
    return {n: values[n] for n in names}


def _review_ids(w) -> tuple[int, int]:
    """A review (of the world's delivered order) and a product question of the first store, made once."""
    if not hasattr(w, "review_ids"):
        from kkot.reviews.services import question_create, review_create

        line = w.order.lines.get()
        review = review_create(user=w.order.user, order_line_id=line.pk, stars=2, text="사이즈가 작아요 교환하고 싶어요")
        q = question_create(user=w.order.user, product_id=line.product_id, text="재입고 언제 되나요?", is_secret=True)
        w.review_ids = (review.pk, q.pk)
    return w.review_ids


def _return_case_id(w) -> int:
    """A return case (회수·검수) of the first store, on an order of its own (made once per world)."""
    if not hasattr(w, "return_case_id"):
        from kkot.fulfillment.returns import claim_accept
        from kkot.fulfillment.services import shipment_create
        from kkot.orders.services.claims import ClaimItem, claim_request
        from kkot.orders.services.lifecycle import order_mark_delivered
        from kkot.orders.tests.factories import place

        v = w.order.lines.get().variant
        order = place(w.order.user, [(v.pk, 1)]).orders.get()
        shipment_create(order=order, actor=w.owner, carrier="cj", tracking_number="223456789012")
        order_mark_delivered(order=order)
        claim = claim_request(order_id=order.pk, user=w.order.user, kind="return", reason="defective",
                              items=[ClaimItem(order.lines.get().pk, 1)])
        w.return_case_id = claim_accept(store=w.store, actor=w.owner, claim_id=claim.pk).pk
    return w.return_case_id


def _methods(callback):
    return getattr(callback, "sc_methods", ("GET",))


@pytest.mark.django_db
def test_every_page_owner_200_other_store_member_404(client, world_orders, fake_bulk):
    world = world_orders
    checked = 0
    for name, kw, cb in _patterns():
        url = reverse(f"sellercenter:{name}", kwargs=_kwargs(kw, world))
        client.force_login(world.owner)
        r = client.get(url, {"slug": "new-shop"} if name == "slug_check" else {})
        if "GET" in _methods(cb):
            assert r.status_code == 200, (name, url, r.status_code)
        else:
            assert r.status_code == 405, (name, url, r.status_code)
        if "slug" not in kw:
            continue
        # A member of ANOTHER store: the first store's pages do not exist for them.
        client.force_login(world.other_owner)
        assert client.get(url).status_code == 404, (name, url)
        assert client.post(url, {}).status_code == 404, (name, url)
        checked += 1
        # Their own store's URL with the first store's object ids: 404 too.
        if kw & ID_KWARGS:
            own = reverse(f"sellercenter:{name}", kwargs=_kwargs(kw, world, slug=world.other_store.slug))
            if "GET" in _methods(cb):
                assert client.get(own).status_code == 404, (name, own)
            if "POST" in _methods(cb):
                assert client.post(own, {"order": str(world.image.pk), "role": "viewer"}).status_code == 404, (name, own)
    assert checked >= 18
    # Nothing of the first store changed through the other seller's requests.
    assert Product.objects.get(pk=world.product.pk).status == "on_sale"
    assert ProductImage.objects.filter(pk=world.image.pk).exists()
    assert StoreMembership.objects.filter(store=world.store).count() == 3
    assert ApiToken.objects.get(pk=world.token.pk).revoked_at is None
    _assert_orders_untouched(world)


def _assert_orders_untouched(world):
    from kkot.orders.models import Claim, Coupon, Order

    assert Order.objects.get(pk=world.order.pk).status == "delivered"
    assert Claim.objects.get(pk=world.claim.pk).status == "requested"
    assert Coupon.objects.get(pk=world.coupon.pk).is_active is True
    world.store.refresh_from_db()
    assert world.store.webhook_secret == ""


@pytest.mark.django_db
def test_logged_out_is_sent_to_login(client, world_orders):
    world = world_orders
    for name, kw, _cb in _patterns():
        if "slug" not in kw:
            continue
        url = reverse(f"sellercenter:{name}", kwargs=_kwargs(kw, world))
        r = client.get(url)
        assert r.status_code == 302 and r["Location"].startswith("/accounts/login/?next="), (name, r)


@pytest.mark.django_db
def test_viewer_sees_pages_read_only_and_every_post_is_refused(client, world_orders, fake_bulk):
    world = world_orders
    client.force_login(world.viewer)
    before = (
        Product.objects.count(), ProductImage.objects.count(), StoreBanner.objects.count(),
        list(StoreMembership.objects.order_by("pk").values_list("role", flat=True)), ApiToken.objects.count(),
        Product.objects.get(pk=world.product.pk).status,
    )
    posted = 0
    for name, kw, cb in _patterns():
        if "slug" not in kw:
            continue
        url = reverse(f"sellercenter:{name}", kwargs=_kwargs(kw, world))
        if "GET" in _methods(cb) and name not in DOWNLOADS:
            page = client.get(url)
            assert page.status_code == 200
            assert "보기 전용" in page.content.decode() or name == "staff"
        if "POST" not in _methods(cb):
            continue
        r = client.post(url, {"ids": [world.product.pk], "status": "hidden", "name": "해킹", "title": "x",
                              "email": "manager@example.com", "role": "owner", "action": "remove",
                              "order": str(world.image.pk), "price": "1000", "category_id": world.product.category_id},
                        follow=True)
        assert r.redirect_chain and r.redirect_chain[0][1] == 302, (name, r.status_code)
        assert r.status_code == 200
        assert r.content.decode().count("이 작업을 할 권한이 없습니다. 스토어 대표에게 권한을 요청해 주세요.") == 1, name
        posted += 1
    assert posted >= 12
    after = (
        Product.objects.count(), ProductImage.objects.count(), StoreBanner.objects.count(),
        list(StoreMembership.objects.order_by("pk").values_list("role", flat=True)), ApiToken.objects.count(),
        Product.objects.get(pk=world.product.pk).status,
    )
    assert after == before
    _assert_orders_untouched(world)


@pytest.mark.django_db
def test_manager_can_edit_products_but_not_staff(client, world):
    client.force_login(world.manager)
    r = client.post(reverse("sellercenter:products", args=[world.store.slug]),
                    {"ids": [world.product.pk], "status": "hidden"})
    assert r.status_code == 302
    assert Product.objects.get(pk=world.product.pk).status == "hidden"
    r = client.post(reverse("sellercenter:staff", args=[world.store.slug]), {"email": "x@example.com", "role": "viewer"})
    assert r.status_code == 302
    assert [str(m) for m in get_messages(r.wsgi_request)][-1] == "이 작업을 할 권한이 없습니다. 스토어 대표에게 권한을 요청해 주세요."
    r = client.post(reverse("sellercenter:staff_member", args=[world.store.slug, world.viewer_membership.pk]),
                    {"action": "remove"})
    assert StoreMembership.objects.filter(pk=world.viewer_membership.pk).exists()
