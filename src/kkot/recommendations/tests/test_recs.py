"""Recommendations on a tiny hand-built event and order log: exact counts -> exact reason text, business rules,
fallbacks (no model, corrupt files, empty and one-product catalogs, unknown ids), impressions, seller stats."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from kkot.catalog.models import Product
from kkot.core.testing import leaf_category, make_product, make_store, make_user
from kkot.events.models import Event, EventKind
from kkot.orders.models import Order
from kkot.orders.tests.factories import place
from kkot.recommendations import modelset
from kkot.recommendations import selectors as recs
from kkot.recommendations.models import RecsModelRun
from kkot.recommendations.services import recs_run_claim, recs_run_request, recs_train
from kkot.recommendations.stats import widget_stats

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("recs_var")]


def _view(session, product, *, minutes=0, user=None, visitor="v1", kind=EventKind.PRODUCT_VIEW, section="",
          position=None):
    return Event(ts=timezone.now() - timedelta(hours=1) + timedelta(minutes=minutes), kind=kind, visitor=visitor,
                 session=session, user_id=user.pk if user else None, store_id=product.store_id,
                 product_id=product.pk, section=section, position=position)


@pytest.fixture
def shop():
    store = make_store(slug="linen-shop")
    names = ["린넨 셔츠", "면 티셔츠", "린넨 바지", "울 니트", "실크 블라우스"]
    a, b, c, d, e = (make_product(store=store, name=n, code=f"P{i}") for i, n in enumerate(names))
    # co-view: A&B in 3 visits, A&C in 2, A&D in 1 (below the minimum of 2: no count shown)
    Event.objects.bulk_create([
        _view("s1", a), _view("s1", b, minutes=1),
        _view("s2", a), _view("s2", b, minutes=1),
        _view("s3", a), _view("s3", b, minutes=1), _view("s3", c, minutes=2),
        _view("s4", c), _view("s4", a, minutes=1),
        _view("s5", a), _view("s5", d, minutes=1),
    ])
    return store, a, b, c, d, e


def _train():
    run = recs_train()
    assert run.status == RecsModelRun.Status.SUCCEEDED, run.error
    modelset.reset()
    return run


def test_coview_counts_become_the_reason_text(shop):
    store, a, b, c, d, _e = shop
    run = _train()
    assert (run.n_products, run.n_sessions, run.n_view_events) == (5, 5, 11)
    w = recs.viewed_together(product=a, store_id=store.pk)
    assert w.source == "model"
    reasons = {it.product.pk: it.reason for it in w.items}
    assert reasons[b.pk] == "이 상품을 본 고객이 함께 많이 본 상품 (함께 본 방문 3회)"
    assert reasons[c.pk] == "이 상품을 본 고객이 함께 많이 본 상품 (함께 본 방문 2회)"
    assert reasons[d.pk] == "최근 본 상품을 본 다른 고객들이 함께 본 상품"  # one shared visit: no "많이"
    assert [it.position for it in w.items] == list(range(1, len(w.items) + 1))
    assert a.pk not in reasons
    # From another page with A viewed earlier in this visit, the anchor is named with the right particle.
    w = recs.viewed_together(product=d, session_history=[a.pk], store_id=store.pk)
    by_pk = {it.product.pk: it.reason for it in w.items}
    assert by_pk[b.pk] == "최근 본 '린넨 셔츠'와 함께 많이 본 상품"


def test_with_enough_sessions_the_session_model_is_a_reranked_stan_slist_blend(shop, monkeypatch):
    from kkot.ml.recs import RerankRecommender, SessionLinear
    from kkot.recommendations import services

    store, a, b, c, d, _e = shop
    monkeypatch.setattr(services, "BLEND_MIN_SESSIONS", 3)
    _train()
    session = modelset.current_set().model("session")
    assert isinstance(session, RerankRecommender) and isinstance(session.members[1], SessionLinear)
    w = recs.viewed_together(product=a, store_id=store.pk)
    assert w.source == "model" and [it.product.pk for it in w.items][:2] == [b.pk, c.pk]
    assert services.session_model(2).name == "sknn"  # too few sessions: STAN alone


def test_business_rules_stock_status_store_boundary_and_diversity(shop):
    store, a, b, c, d, e = shop
    _train()
    before = [it.product.pk for it in recs.viewed_together(product=a, store_id=store.pk).items]
    assert {b.pk, c.pk, d.pk} <= set(before)  # the visibility bitset of this version is now cached
    Product.objects.filter(pk=b.pk).update(stock_total=0, status=Product.Status.SOLD_OUT)
    Product.objects.filter(pk=c.pk).update(status=Product.Status.HIDDEN)
    # sold out / hidden a moment ago: the shown products are checked live, whatever the cached bitset says
    pks = [it.product.pk for it in recs.viewed_together(product=a, store_id=store.pk).items]
    assert b.pk not in pks and c.pk not in pks and d.pk in pks
    # another store's product is left out of a per-store widget
    other = make_store(slug="other-shop")
    assert recs.viewed_together(product=a, store_id=other.pk).items == [] or all(
        it.product.store_id == other.pk for it in recs.viewed_together(product=a, store_id=other.pk).items)
    # a paused store's products are never recommended
    store.status = "paused"
    store.save(update_fields=["status"])
    assert recs.viewed_together(product=a).items == []
    # diversity: at most MAX_PER_CATEGORY from one leaf category (all five share 티셔츠)
    store.status = "open"
    store.save(update_fields=["status"])
    Product.objects.filter(pk__in=[b.pk, c.pk]).update(stock_total=5, status=Product.Status.ON_SALE)
    modelset.current_set().cache.clear()  # back in stock: shown again once the bitset is refreshed (VISIBLE_TTL_S)
    w = recs.similar(product=e, store_id=store.pk)
    assert len(w.items) == recs.MAX_PER_CATEGORY == 3


def test_bought_together_share_and_repurchase_rules(shop):
    store, a, b, c, _d, _e = shop
    va, vb, vc = (p.variants.get(label="블랙 / M") for p in (a, b, c))
    Product.objects.filter(pk__in=[a.pk, b.pk, c.pk]).update(stock_total=50)
    type(va).objects.filter(pk__in=[va.pk, vb.pk, vc.pk]).update(stock=50)
    buyers = [make_user() for _ in range(4)]
    place(buyers[0], [(va.pk, 1), (vb.pk, 1)])
    place(buyers[1], [(va.pk, 1), (vb.pk, 1)])
    place(buyers[2], [(va.pk, 1), (vc.pk, 1)])
    place(buyers[3], [(va.pk, 1)])
    run = _train()
    assert run.n_baskets == 4
    w = recs.bought_together(product=a, store_id=store.pk)
    assert [(it.product.pk, it.reason) for it in w.items] == [
        (b.pk, "이 상품을 구매한 주문의 50%가 함께 구매"),
    ]  # A->C has one basket only (minimum 2)
    # the buyer of B does not get B again (clothing is not consumable)
    assert b.pk not in [it.product.pk for it in recs.viewed_together(product=a, user_id=buyers[0].pk).items]
    assert b.pk in [it.product.pk for it in recs.viewed_together(product=a, user_id=buyers[3].pk).items]
    # cart add-on row: bought together with the cart's product, named in the reason
    w = recs.cart_addons(product_ids=[a.pk])
    assert w.items[0].product.pk == b.pk
    assert w.items[0].reason == "'린넨 셔츠'와 함께 구매한 주문 2건"


def test_consumables_come_back_when_due(settings):
    store = make_store()
    fruit = leaf_category("fruit")
    apple = make_product(store=store, name="부사 사과 2kg", code="F1", category_id=fruit.pk, attributes={},
                         tags=["사과"])
    Product.objects.filter(pk=apple.pk).update(stock_total=50)
    type(apple.variants.first()).objects.filter(product=apple).update(stock=50)
    buyer = make_user()
    place(buyer, [(apple.variants.filter(stock__gt=0).first().pk, 1)])
    _train()
    ms = modelset.current_set()
    assert ms.repurchase_days[fruit.pk] == 14.0  # no gaps observed: the documented default for 식품
    assert recs._bought(buyer.pk, ms) == {apple.pk}
    Order.objects.filter(user=buyer).update(created_at=timezone.now() - timedelta(days=20))
    assert recs._bought(buyer.pk, ms) == set()  # due again


def test_no_model_falls_back_to_popular_in_category_then_nothing(shop, caplog):
    _store, a, b, *_ = shop
    w = recs.viewed_together(product=a)
    assert w.source == "fallback" and w.note == "no_model"
    assert w.items and all(it.reason == "'티셔츠' 인기 상품" for it in w.items)
    assert a.pk not in [it.product.pk for it in w.items]
    Product.objects.exclude(pk=a.pk).update(status=Product.Status.SUSPENDED)
    w = recs.viewed_together(product=a)
    assert (w.items, w.source) == ([], "none")
    assert recs.for_you(user_id=None, visitor="nobody").items == []


def test_corrupt_files_never_break_a_widget(shop):
    store, a, *_ = shop
    _train()
    root = modelset.recs_root()
    version = (root / "LATEST").read_text()
    (root / version / "session" / "arrays.npz").write_bytes(b"not a zip")
    modelset.reset()
    w = recs.viewed_together(product=a, store_id=store.pk)
    assert w.source == "fallback" and w.note == "no_session_model"
    assert recs.similar(product=a, store_id=store.pk).source == "model"  # other members still serve
    (root / version / "items.json").write_text("{broken")
    modelset.reset()
    assert modelset.current_set() is None
    assert recs.similar(product=a).source == "fallback"
    assert recs.bought_together(product=a).items == []


def test_unknown_ids_empty_and_single_product_catalogs(settings):
    run = _train()  # empty catalog
    assert run.status == RecsModelRun.Status.SUCCEEDED and run.n_products == 0
    store = make_store()
    only = make_product(store=store, code="ONLY")
    assert recs.viewed_together(product=only).items == []  # unknown to the model, nothing to fall back to
    assert recs.cart_addons(product_ids=[987654321]).items == []
    run = _train()
    assert run.n_products == 1
    for fn in (recs.viewed_together, recs.bought_together, recs.similar):
        assert fn(product=only).items == []
    assert recs.for_you_from_history(product_ids=[only.pk, 10**15]).items == []


def test_new_product_after_training_gets_similar_items_by_text(shop):
    store, a, *_ = shop
    _train()
    newer = make_product(store=store, name="린넨 와이드 셔츠", code="NEW")
    w = recs.similar(product=newer, store_id=store.pk)
    assert w.source == "model" and a.pk in [it.product.pk for it in w.items]


def test_product_page_shows_widgets_and_records_impressions_in_one_append(client, shop):
    store, a, b, *_ = shop
    _train()
    before = Event.objects.filter(kind=EventKind.IMPRESSION).count()
    client.cookies["kk_vid"] = "v" * 24
    client.cookies["kk_sid"] = "s" * 24
    page = client.get(f"/s/{store.slug}/p/{a.pk}/").content.decode()
    assert f'data-src="/s/{store.slug}/p/{a.pk}/extras/"' in page  # widgets load after the page
    r = client.get(f"/s/{store.slug}/p/{a.pk}/extras/")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'data-kk-section="widget:viewed_together" data-kk-pos="1"' in html
    assert "이 상품을 본 고객이 함께 많이 본 상품 (함께 본 방문 3회)" in html
    imp = Event.objects.filter(kind=EventKind.IMPRESSION).order_by("id")
    assert imp.count() - before > 0
    first = imp.filter(section="widget:viewed_together", position=1).first()
    assert first.product_id == b.pk and first.page_type == "product"


def test_pages_survive_a_broken_model(client, shop):
    store, a, *_ = shop
    _train()
    root = modelset.recs_root()
    for sub in ("session", "coview", "content"):
        (root / (root / "LATEST").read_text() / sub / "meta.json").write_text("[]")
    modelset.reset()
    assert client.get(f"/s/{store.slug}/p/{a.pk}/").status_code == 200
    assert client.get(f"/s/{store.slug}/p/{a.pk}/extras/").status_code == 200
    assert client.get("/").status_code == 200
    assert client.get(f"/s/{store.slug}/").status_code == 200
    assert client.get("/cart/").status_code == 200


def test_api(client, shop):
    store, a, b, *_ = shop
    _train()
    r = client.get(f"/api/v1/recommendations/viewed_together?product_id={a.pk}&store={store.slug}")
    assert r.status_code == 200
    body = r.json()
    assert body["widget"] == "viewed_together" and body["items"][0]["product_id"] == b.pk
    assert body["items"][0]["reason"] == "이 상품을 본 고객이 함께 많이 본 상품 (함께 본 방문 3회)"
    assert client.get("/api/v1/recommendations/nope?product_id=1").json()["code"] == "not_found"
    assert client.get("/api/v1/recommendations/similar?product_id=999999999").status_code == 404
    assert client.get("/api/v1/recommendations/similar?product_id=99999999999999999999").status_code == 422
    assert client.get("/api/v1/recommendations/similar").status_code == 422
    assert client.get("/api/v1/recommendations/similar?product_id=1&store=no-such").status_code == 404
    r = client.get(f"/api/v1/recommendations/for_you?history={a.pk},x,-3,{10**30}")
    assert r.status_code == 200 and b.pk in [i["product_id"] for i in r.json()["items"]]
    assert client.get("/api/v1/recommendations/cart_addons?product_ids=abc").json()["items"] == []


def test_widget_stats_attribution(shop):
    store, a, b, c, *_ = shop
    buyer = make_user()
    vb = b.variants.get(label="블랙 / M")
    Event.objects.bulk_create([
        _view("w1", b, kind=EventKind.IMPRESSION, section="widget:viewed_together", position=1),
        _view("w1", c, kind=EventKind.IMPRESSION, section="widget:viewed_together", position=2),
        _view("w1", b, kind=EventKind.IMPRESSION, section="widget:similar", position=1),
        _view("w1", b, minutes=1, kind=EventKind.CLICK, section="widget:viewed_together", position=1),
        _view("w1", b, minutes=2, kind=EventKind.ADD_TO_CART, user=buyer),
        _view("w2", c, minutes=2, kind=EventKind.ADD_TO_CART),  # no widget click in that visit
    ])
    place(buyer, [(vb.pk, 2)])
    rows = {r.name: r for r in widget_stats(store=store)}
    vt = rows["viewed_together"]
    assert (vt.impressions, vt.clicks, vt.ctr, vt.add_to_carts, vt.orders) == (2, 1, 50.0, 1, 1)
    assert vt.revenue == 2 * 29000
    assert (rows["similar"].impressions, rows["similar"].clicks, rows["similar"].ctr) == (1, 0, 0.0)
    other = make_store(slug="rival-shop")
    assert all(r.impressions == r.clicks == 0 for r in widget_stats(store=other))


def test_seller_page(client, shop):
    store, a, *_ = shop
    from kkot.stores.models import StoreMembership

    owner = StoreMembership.objects.get(store=store, role="owner").user
    client.force_login(owner)
    r = client.get(f"/seller/{store.slug}/recommendations/")
    assert r.status_code == 200 and "추천 성과" in r.content.decode()
    # the page covers the 30 whole Seoul days up to yesterday (the daily rollup's unit): yesterday's click counts,
    # today's shows tomorrow
    from kkot.core.timeutil import day_bounds, seoul_today

    midnight = day_bounds(seoul_today())[0]
    old, new = (_view(s, a, kind=EventKind.CLICK, section="widget:similar", position=1) for s in ("w9", "w8"))
    old.ts, new.ts = midnight - timedelta(hours=12), midnight + timedelta(seconds=1)
    Event.objects.bulk_create([old, new])
    r = client.get(f"/seller/{store.slug}/recommendations/")
    assert r.context["total_clicks"] == 1
    client.force_login(make_user())
    assert client.get(f"/seller/{store.slug}/recommendations/").status_code == 404


def test_task_is_idempotent_and_command_trains(shop, django_capture_on_commit_callbacks):
    from django.core.management import call_command

    from kkot.recommendations.tasks import recs_train_task

    with django_capture_on_commit_callbacks(execute=False):
        run = recs_run_request()
    assert recs_run_claim(run_id=run.pk) is not None
    assert recs_run_claim(run_id=run.pk) is None  # a second delivery does nothing
    assert recs_train_task.call(run_id=run.pk) == "skipped"
    call_command("recs_train")
    latest = RecsModelRun.objects.filter(status="succeeded").first()
    assert latest.version == (modelset.recs_root() / "LATEST").read_text()
    meta = json.loads((modelset.recs_root() / latest.version / "items.json").read_text())
    assert sorted(meta["product_ids"]) == sorted(Product.objects.values_list("pk", flat=True))


def test_content_neighbours_per_group_match_the_whole_catalog_inside_each_group():
    """Large catalogs precompute neighbours per leaf category (no similarity computed while serving)."""
    import numpy as np

    from kkot.ml.recs import ContentSimilarity, Interactions
    from kkot.recommendations.services import content_neighbors

    texts = ["린넨 셔츠 화이트", "린넨 셔츠 블랙", "코튼 셔츠 네이비", "린넨 셔츠 베이지", "수분크림 대용량", "수분크림 50ml"]
    groups = np.asarray([1, 1, 1, 2, 3, 3])
    inter = Interactions.from_sequences([[0, 1], [4, 5]], n_items=6)
    content = ContentSimilarity(fill_popular=False).fit(
        Interactions(inter.indptr, inter.items, inter.n_items, item_texts=texts))
    full = content_neighbors(content, k=5)
    per = content_neighbors(content, k=5, groups=groups, max_cells=4)  # tiny blocks: chunking exercised
    for i in range(6):
        got = dict(zip(per[i].indices.tolist(), per[i].data.tolist(), strict=True))
        assert i not in got and all(groups[j] == groups[i] for j in got)
        want = {j: s for j, s in zip(full[i].indices.tolist(), full[i].data.tolist(), strict=True)
                if groups[j] == groups[i]}
        assert got == pytest.approx(want)
    assert per[3].nnz == 0  # alone in its group
