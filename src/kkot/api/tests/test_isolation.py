"""Tenant isolation, walked over EVERY route of the API automatically.

The routes come from the ninja API itself (``api._get_urls()`` cross-checked with the OpenAPI schema), so a
new route is walked without anyone remembering to add it. A new seller route needs a sample request body in
``SAMPLES`` (the walk fails until it has one), and the sample must succeed for the store's own seller: a
refusal for the other seller is then due to isolation, not to a bad sample.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client

from kkot.accounts.services import api_token_create, api_token_revoke
from kkot.api.main import api
from kkot.api.tests.conftest import call, new_seller
from kkot.api.tests.helpers import buy, db_snapshot, delivered_with_return, product_body, return_case_in
from kkot.catalog.services import product_image_add, products_set_status
from kkot.core.testing import image_bytes, make_product, make_user, upload
from kkot.stores.services import staff_add

pytestmark = pytest.mark.django_db

SELLER_PREFIX = "/api/v1/seller/"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
# Public routes that write: each one's isolation is decided and tested on its own (see below).
PUBLIC_WRITES = {("POST", "/api/v1/payments/webhooks/{provider}"),  # HMAC-signed, never a token
                 ("POST", "/api/v1/carriers/webhooks/{carrier}")}  # HMAC-signed (kkot.fulfillment tests)


def _schema_operations() -> list[tuple[str, str, dict]]:
    schema = api.get_openapi_schema()
    return [(m.upper(), path, op) for path, ops in schema["paths"].items() for m, op in ops.items()]


def _url_paths() -> set[str]:
    """Every route Django would dispatch to the API, in OpenAPI form (``<kkid:product_id>`` -> ``{product_id}``)."""
    out = set()
    for pattern in api._get_urls():
        route = str(pattern.pattern)
        if route in ("", "openapi.json", "docs"):
            continue
        out.add("/api/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route))
    return out


OPERATIONS = _schema_operations()
SELLER_OPS = [(m, p) for m, p, op in OPERATIONS if op.get("security")]
PUBLIC_OPS = [(m, p) for m, p, op in OPERATIONS if not op.get("security") and (m, p) not in PUBLIC_WRITES]


def test_every_route_is_in_the_walk_and_seller_routes_need_a_token():
    assert _url_paths() == {p for _m, p, _op in OPERATIONS}, "a route is hidden from the OpenAPI schema"
    for method, path, op in OPERATIONS:
        secured = bool(op.get("security"))
        assert secured == path.startswith(SELLER_PREFIX), (method, path)
        if secured:
            assert path.startswith(SELLER_PREFIX + "stores/{slug}"), f"seller route outside a store: {path}"
        elif (method, path) not in PUBLIC_WRITES:
            assert method == "GET", f"public write route {method} {path}: decide its isolation and extend the walk"
        assert re.search(r"[가-힣]", op.get("summary", "")), f"{method} {path} needs a Korean summary"
    assert len(SELLER_OPS) >= 10 and len(PUBLIC_OPS) >= 6


class World:
    """alpha (the victim) and bravo (the other seller), each with a product and an image, and, when the route
    needs them, a paid order and a requested return claim (on another, delivered order)."""

    def __init__(self, *, orders: bool = False, reviews: bool = False, returns: tuple[str, str] | None = None):
        self.alpha = new_seller("alpha")
        self.bravo = new_seller("bravo")
        self.alpha_product = make_product(store=self.alpha.store, code="A-1")
        self.alpha_image = product_image_add(product=self.alpha_product, actor=self.alpha.user, upload=upload(image_bytes()))
        self.alpha_hidden = make_product(store=self.alpha.store, code="A-H", name="숨긴 상품")
        products_set_status(store=self.alpha.store, actor=self.alpha.user, product_ids=[self.alpha_hidden.pk],
                            status="hidden")
        self.bravo_product = make_product(store=self.bravo.store, code="B-1")
        self.bravo_image = product_image_add(product=self.bravo_product, actor=self.bravo.user,
                                             upload=upload(image_bytes(color=(1, 2, 3))))
        self.orders = {"alpha": {"order_id": 0, "claim_id": 0}, "bravo": {"order_id": 0, "claim_id": 0}}
        self.cases = {"alpha": {"case_id": 0}, "bravo": {"case_id": 0}}
        if returns:  # an accepted return or exchange whose case reached the state the route needs
            state, kind = returns
            for name, s in (("alpha", self.alpha), ("bravo", self.bravo)):
                self.cases[name] = {"case_id": return_case_in(s.store, state, kind=kind).pk}
        from kkot.advisor.ads.services import campaign_create  # the advisor's ad campaigns (body references)

        self.campaigns = {name: campaign_create(store=s.store, name=f"{name} 광고", start_date=dt.date(2026, 1, 1)).pk
                          for name, s in (("alpha", self.alpha), ("bravo", self.bravo))}
        self.reviews = {"alpha": {"review_id": 0, "question_id": 0}, "bravo": {"review_id": 0, "question_id": 0}}
        if reviews:
            for name, s, product in (("alpha", self.alpha, self.alpha_product), ("bravo", self.bravo, self.bravo_product)):
                self.reviews[name] = _review_and_question(s.store, product)
        if orders:
            for name, s, product in (("alpha", self.alpha, self.alpha_product), ("bravo", self.bravo, self.bravo_product)):
                paid = buy(s.store, product=product)
                _order, claim = delivered_with_return(s.store, product=product)
                self.orders[name] = {"order_id": paid.pk, "claim_id": claim.pk}

    def ids(self, owner: str) -> dict:
        if owner == "alpha":
            return {"slug": "alpha", "product_id": self.alpha_product.pk, "image_id": self.alpha_image.pk,
                    "widget": "similar", "campaign_id": self.campaigns["alpha"], **self.orders["alpha"],
                    **self.reviews["alpha"], **self.cases["alpha"]}
        return {"slug": "bravo", "product_id": self.bravo_product.pk, "image_id": self.bravo_image.pk,
                "widget": "similar", "campaign_id": self.campaigns["bravo"], **self.orders["bravo"],
                **self.reviews["bravo"], **self.cases["bravo"]}


def _review_and_question(store, product) -> dict:
    """A delivered order of ``product`` with its review, and a secret product question (kkot.reviews)."""
    from kkot.reviews.services import question_create, review_create
    from kkot.reviews.tests.factories import delivered_line

    line = delivered_line(store=store, product=product)
    review = review_create(user=line.order.user, order_line_id=line.pk, stars=2, text="배송이 늦고 사이즈가 작아요")
    q = question_create(user=line.order.user, product_id=product.pk, text="재입고 되나요?", is_secret=True)
    return {"review_id": review.pk, "question_id": q.pk}


def fill(path: str, values: dict) -> str:
    def sub(m):
        name = m.group(1)
        assert name in values, f"the walk does not know the path parameter {{{name}}} of {path}: teach it"
        return str(values[name])

    return re.sub(r"{(\w+)}", sub, path)


# One valid request per seller route that needs a body: (kind, factory(ids) -> data).
SAMPLES = {
    ("PATCH", "/api/v1/seller/stores/{slug}"): ("json", lambda ids: {"name": "바뀐 이름", "shipping_base_fee": 1000}),
    ("POST", "/api/v1/seller/stores/{slug}/products"): ("json", lambda ids: product_body()),
    ("POST", "/api/v1/seller/stores/{slug}/products/status"): (
        "json", lambda ids: {"ids": [ids["product_id"]], "status": "hidden"}),
    ("PUT", "/api/v1/seller/stores/{slug}/products/{product_id}"): ("json", lambda ids: product_body(name="바뀐 상품")),
    ("POST", "/api/v1/seller/stores/{slug}/products/{product_id}/images"): (
        "multipart", lambda ids: {"file": upload(image_bytes(color=(9, 9, 9)))}),
    ("POST", "/api/v1/seller/stores/{slug}/orders/accept"): ("json", lambda ids: {"order_ids": [ids["order_id"]]}),
    ("POST", "/api/v1/seller/stores/{slug}/orders/{order_id}/ship"): (
        "json", lambda ids: {"carrier": "cj", "tracking_number": "6123-4567-8901"}),
    ("POST", "/api/v1/seller/stores/{slug}/claims/{claim_id}/approve"): ("json", lambda ids: {}),
    ("POST", "/api/v1/seller/stores/{slug}/claims/{claim_id}/reject"): (
        "json", lambda ids: {"reason": "상품이 사용된 흔적이 있습니다."}),
    ("POST", "/api/v1/seller/stores/{slug}/products/{product_id}/suggestions/decisions"): (
        "json", lambda ids: {"decisions": []}),
    ("PUT", "/api/v1/seller/stores/{slug}/assist/settings"): ("json", lambda ids: {"block_publish_on_failed_checks": True}),
    ("POST", "/api/v1/seller/stores/{slug}/advisor/campaigns"): (
        "json", lambda ids: {"name": "새 광고", "start_date": "2026-01-01", "target_roas": 300}),
    ("POST", "/api/v1/seller/stores/{slug}/advisor/channels"): (
        "json", lambda ids: {"code": "insta", "channel": "인스타그램", "group": "SNS", "name": "11월 릴스"}),
    ("PUT", "/api/v1/seller/stores/{slug}/reviews/{review_id}/reply"): ("json", lambda ids: {"text": "감사합니다."}),
    ("PUT", "/api/v1/seller/stores/{slug}/questions/{question_id}/answer"): (
        "json", lambda ids: {"text": "다음 주 입고됩니다."}),
    ("POST", "/api/v1/seller/stores/{slug}/advisor/spend"): (
        "json", lambda ids: {"rows": [{"campaign_id": ids["campaign_id"], "day": "2026-01-02", "amount": 10000}]}),
    ("POST", "/api/v1/seller/stores/{slug}/returns/{case_id}/inspect"): (
        "json", lambda ids: {"passed": False, "note": "사용 흔적"}),
    ("POST", "/api/v1/seller/stores/{slug}/returns/{case_id}/restock"): ("json", lambda ids: {}),
    ("POST", "/api/v1/seller/stores/{slug}/returns/{case_id}/dispose"): ("json", lambda ids: {"reason": "포장 훼손"}),
    ("POST", "/api/v1/seller/stores/{slug}/returns/{case_id}/reject"): ("json", lambda ids: {"reason": "사용 흔적"}),
    ("POST", "/api/v1/seller/stores/{slug}/returns/{case_id}/pickup-retry"): ("json", lambda ids: {}),
    ("POST", "/api/v1/seller/stores/{slug}/returns/{case_id}/replacement"): (
        "json", lambda ids: {"carrier": "cj", "tracking_number": "6123-4567-8901"}),
    ("POST", "/api/v1/seller/stores/{slug}/returns/{case_id}/convert"): ("json", lambda ids: {"reason": "옵션 품절"}),
}
# Return-case routes (kkot.fulfillment.returns): the state (and claim kind) each one's sample needs.
RETURN_ROUTES = {"inspect": ("arrived", "return"), "restock": ("passed", "return"), "dispose": ("passed", "return"),
                 "reject": ("failed", "return"), "pickup-retry": ("pickup_failed", "return"),
                 "replacement": ("restocked", "exchange"), "convert": ("arrived", "exchange")}
# Routes whose body names objects (not only the path): the cross-store walk also tries them on the
# attacker's own slug with the victim's ids.
BODY_REFERENCES = {("POST", "/api/v1/seller/stores/{slug}/products/status", "product_id"),
                   ("POST", "/api/v1/seller/stores/{slug}/orders/accept", "order_id"),
                   ("POST", "/api/v1/seller/stores/{slug}/advisor/spend", "campaign_id")}
# Object ids the walk knows; a route using one of them also gets the "own slug, victim's id" attempt.
OBJECT_KEYS = ("product_id", "image_id", "order_id", "claim_id", "campaign_id", "review_id", "question_id",
               "case_id")
# Seller routes that need reviews and questions in the store (kkot.reviews).
REVIEW_ROUTES = ("/reviews", "/questions")
# Seller routes that only make sense with orders in the store (the world then places some).
ORDER_ROUTES = ("/orders", "/claims", "/settlements", "/coupons")


def request(client: Client, method: str, path: str, ids: dict, token: str | None):
    kind, factory = SAMPLES.get((method, path), (None, None))
    url = fill(path, ids)
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    if kind == "multipart":
        return client.post(url, factory(ids), **headers)
    if kind == "json":
        return call(client, method, url, factory(ids), token=token)
    return call(client, method, url, None, token=token) if method != "POST" else call(client, method, url, {},
                                                                                      token=token)


def _needs_sample(method: str, path: str) -> bool:
    op = next(op for m, p, op in OPERATIONS if (m, p) == (method, path))
    return "requestBody" in op


@pytest.mark.parametrize("method,path", SELLER_OPS, ids=[f"{m} {p}" for m, p in SELLER_OPS])
def test_other_seller_cannot_reach_any_seller_route(method, path):
    if _needs_sample(method, path):
        assert (method, path) in SAMPLES, f"add a valid sample request for {method} {path} to SAMPLES"
    returns = (RETURN_ROUTES.get(path.rsplit("/", 1)[-1], ("arrived", "return"))
               if path.startswith(SELLER_PREFIX + "stores/{slug}/returns") else None)
    w = World(orders=any(part in path for part in ORDER_ROUTES), reviews=any(part in path for part in REVIEW_ROUTES),
              returns=returns)
    victim_ids, own_ids = w.ids("alpha"), w.ids("bravo")
    before = db_snapshot()

    # 1. bravo's valid token on alpha's slug and alpha's object ids
    r = request(w.bravo.client, method, path, victim_ids, w.bravo.token)
    assert r.status_code == 404, (r.status_code, r.content)
    assert r.json()["code"] == "not_found"
    # 2. bravo's token on bravo's own slug, but one of alpha's object ids (in the path or in the body)
    for key in OBJECT_KEYS:
        if f"{{{key}}}" in path or (method, path, key) in BODY_REFERENCES:
            r = request(w.bravo.client, method, path, dict(own_ids, **{key: victim_ids[key]}), w.bravo.token)
            assert r.status_code == 404, (key, r.status_code, r.content)
            assert r.json()["code"] == "not_found"
    # 3. no token, a revoked token, a made-up token
    r = request(Client(), method, path, victim_ids, None)
    assert (r.status_code, r.json()["code"]) == (401, "unauthorized")
    r = request(Client(), method, path, victim_ids, "kk_" + "x" * 43)
    assert (r.status_code, r.json()["code"]) == (401, "unauthorized")
    # 4. a user who is staff of both stores, holding a token issued for bravo
    staff_add(store=w.alpha.store, actor=w.alpha.user, email=w.bravo.user.email, role="manager")
    r = request(w.bravo.client, method, path, victim_ids, w.bravo.token)
    assert (r.status_code, r.json()["code"]) == (404, "not_found")
    w.alpha.store.memberships.filter(user=w.bravo.user).delete()
    assert db_snapshot() == before, f"{method} {path} changed data for another store's seller"

    # 5. a viewer of alpha can read but never write
    viewer = make_user()
    staff_add(store=w.alpha.store, actor=w.alpha.user, email=viewer.email, role="viewer")
    _tok, viewer_raw = api_token_create(user=viewer, store=w.alpha.store, name="viewer")
    before = db_snapshot()
    r = request(Client(), method, path, victim_ids, viewer_raw)
    if method in WRITE_METHODS:
        assert (r.status_code, r.json()["code"]) == (403, "forbidden"), r.content
        assert db_snapshot() == before
    else:
        assert r.status_code == 200, r.content

    # 6. the sample is valid: alpha's own token succeeds (so the refusals above came from isolation)
    r = request(w.alpha.client, method, path, victim_ids, w.alpha.token)
    assert 200 <= r.status_code < 300, (r.status_code, r.content)

    # 7. and once revoked, alpha's token is refused too
    token = w.alpha.user.api_tokens.get(store=w.alpha.store)
    api_token_revoke(user=w.alpha.user, store=w.alpha.store, token_id=token.pk)
    r = request(w.alpha.client, method, path, victim_ids, w.alpha.token)
    assert (r.status_code, r.json()["code"]) == (401, "unauthorized")


@pytest.mark.parametrize("method,path", PUBLIC_OPS, ids=[f"{m} {p}" for m, p in PUBLIC_OPS])
def test_public_routes_show_no_hidden_product_and_change_nothing(method, path, monkeypatch):
    if path == "/api/v1/search":  # the search engine has its own tests; here only what the API lets through
        import sys
        import types

        from kkot.catalog.models import Product

        fake = types.ModuleType("kkot.search.selectors")

        class SearchQuery:
            def __init__(self, **kw):
                self.kw = kw

        class Result:
            def __init__(self, products):
                self.products, self.total, self.page, self.per_page = products, len(products), 1, 20
                self.highlights, self.facets, self.tokens, self.took_ms = {}, {}, [], 0.0

        fake.SearchQuery = SearchQuery
        fake.search_products = lambda q: Result(list(Product.objects.filter(status="on_sale")))
        monkeypatch.setitem(sys.modules, "kkot.search.selectors", fake)
    w = World()
    before = db_snapshot()
    hidden = {"slug": "alpha", "product_id": w.alpha_hidden.pk, "image_id": w.alpha_image.pk, "widget": "similar"}
    mixed = {"slug": "alpha", "product_id": w.bravo_product.pk, "image_id": w.bravo_image.pk, "widget": "similar"}
    recs = path.startswith("/api/v1/recommendations/")  # the product is a query parameter there
    for ids in (hidden, mixed):
        query = "?q=셔츠" if path == "/api/v1/search" else (f"?product_id={ids['product_id']}" if recs else "")
        r = call(Client(), method, fill(path, ids) + query, token=w.bravo.token)
        if "{product_id}" in path or (recs and ids is hidden):
            assert (r.status_code, r.json()["code"]) == (404, "not_found"), r.content
        else:
            assert r.status_code == 200, r.content
            body = r.json()
            listed = {i.get("id") for i in (body.get("items", []) if isinstance(body, dict) else [])}
            assert w.alpha_hidden.pk not in listed
    assert db_snapshot() == before


def test_payment_webhook_is_reached_only_by_a_valid_signature():
    """The one public write route: a token (even a seller's) means nothing there, only the HMAC signature does.
    Forged, unsigned, or signed with another key: 400 and not a row changed anywhere."""
    import json

    from kkot.orders.models import Payment
    from kkot.orders.payments import sign

    w = World(orders=True)
    payment = Payment.objects.get(purchase__orders__pk=w.ids("alpha")["order_id"])
    body = json.dumps({"id": "ev-iso", "type": "payment.cancelled", "payment_ref": payment.provider_ref}).encode()
    before = db_snapshot()
    for headers in ({}, {"HTTP_X_KKOT_SIGNATURE": sign(body, b"another-secret")},
                    {"HTTP_X_KKOT_SIGNATURE": "0" * 64, "HTTP_AUTHORIZATION": f"Bearer {w.alpha.token}"},
                    {"HTTP_AUTHORIZATION": f"Bearer {w.bravo.token}"}):
        for provider in ("test_card", "bank_transfer"):
            r = Client().post(f"/api/v1/payments/webhooks/{provider}", body, content_type="application/json",
                              **headers)
            assert (r.status_code, r.json()["code"]) == (400, "bad_signature"), r.content
    assert db_snapshot() == before
