"""Widget cards read live with one raw statement: what they carry, how many queries a widget costs, and how
fresh what it shows is (stock, status, store and price at once; a product back in stock within the bitset's
age, :data:`~kkot.recommendations.selectors.VISIBLE_TTL_S`)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.template.loader import render_to_string

from kkot.catalog.models import Product, ProductImage
from kkot.core.testing import make_product, make_store
from kkot.events.models import Event
from kkot.recommendations import modelset
from kkot.recommendations import selectors as recs
from kkot.recommendations.cards import product_cards
from kkot.recommendations.tests.test_recs import _train, _view

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("recs_var")]


def _image(product: Product, *, position: int, name: str) -> ProductImage:
    return ProductImage.objects.create(
        product=product, width=1, height=1, sha256=name, image=f"products/{name}.jpg",
        thumbnail=f"products/thumbs/{name}.jpg", position=position, alt=name,
    )  # fmt: skip


@pytest.fixture
def pair():
    """A and B viewed together in three visits; B has two images (the representative one has position 0)."""
    store = make_store(slug="card-shop", name="카드 상점")
    a = make_product(store=store, name="린넨 셔츠", code="A")
    b = make_product(store=store, name="면 티셔츠", code="B")
    Event.objects.bulk_create([_view(f"s{i}", p, minutes=j) for i in range(3) for j, p in enumerate((a, b))])
    _image(b, position=1, name="second")
    _image(b, position=0, name="first")
    return store, a, b


def test_cards_carry_live_fields_store_and_the_representative_image(pair, django_assert_num_queries):
    store, a, b = pair
    Product.objects.filter(pk=b.pk).update(price=19000, sale_price=15000)
    cards = product_cards([b.pk, a.pk, b.pk, 987654321])
    assert sorted(cards) == sorted([a.pk, b.pk])  # unknown ids are left out, duplicates read once
    card = cards[b.pk]
    assert (card.name, card.price, card.sale_price, card.status) == ("면 티셔츠", Decimal(19000), Decimal(15000),
                                                                     Product.Status.ON_SALE)  # fmt: skip
    assert card.stock_total == Product.objects.get(pk=b.pk).stock_total > 0
    assert card.created_at.tzinfo is not None and card.created_at == Product.objects.get(pk=b.pk).created_at
    assert (card.store.slug, card.store.name, card.store.status) == ("card-shop", "카드 상점", "open")
    assert [im.alt for im in card.images.all()] == ["first"]
    assert cards[a.pk].images.all().first() is None
    _image(a, position=0, name="of-a")  # a query built from a card's images covers that product's images only
    assert sorted(card.images.all().filter(position__gte=0).values_list("alt", flat=True)) == [
        "first",
        "second",
    ]
    assert list(cards[a.pk].images.all().order_by("id").values_list("alt", flat=True)) == ["of-a"]
    with django_assert_num_queries(0):
        assert card.images.all()[0].product is card and card.store is cards[a.pk].store
    assert product_cards([]) == {}


def test_a_widget_costs_one_query_and_renders_and_serialises_without_more(pair, django_assert_num_queries):
    store, a, b = pair
    _train()
    recs.viewed_together(product=a, store_id=store.pk)  # loads the model set and the visibility bitset
    with django_assert_num_queries(1):
        w = recs.viewed_together(product=a, store_id=store.pk)
    assert [it.product.pk for it in w.items] == [b.pk]
    with django_assert_num_queries(0):
        html = render_to_string("recommendations/_widgets.html", {"recs": [w]})
        price = (w.items[0].product.price, w.items[0].product.sale_active())
    assert '<img src="/media/products/thumbs/first.jpg" alt="first"' in html
    assert f'href="/s/card-shop/p/{b.pk}/"' in html and "카드 상점" in html and "면 티셔츠" in html
    assert price[0] == Decimal(Product.objects.get(pk=b.pk).price)


def test_stock_status_store_and_price_changes_show_on_the_next_request(pair):
    store, a, b = pair
    _train()
    assert [it.product.pk for it in recs.viewed_together(product=a, store_id=store.pk).items] == [b.pk]
    # a bulk update (no ``updated_at`` bump, no save): still seen at once
    Product.objects.filter(pk=b.pk).update(price=99000, name="면 티셔츠 (새 이름)")
    item = recs.viewed_together(product=a, store_id=store.pk).items[0]
    assert (item.product.price, item.product.name) == (Decimal(99000), "면 티셔츠 (새 이름)")
    for change in (
        {"stock_total": 0},
        {"status": Product.Status.HIDDEN},
        {"status": Product.Status.SUSPENDED},
    ):
        Product.objects.filter(pk=b.pk).update(**change)
        assert recs.viewed_together(product=a, store_id=store.pk).items == [], change
        Product.objects.filter(pk=b.pk).update(stock_total=5, status=Product.Status.ON_SALE)
        assert [it.product.pk for it in recs.viewed_together(product=a, store_id=store.pk).items] == [b.pk]
    type(store).objects.filter(pk=store.pk).update(status="paused")
    assert recs.viewed_together(product=a, store_id=store.pk).items == []
    assert recs.cart_addons(product_ids=[a.pk]).items == []


def test_back_in_stock_shows_once_the_visibility_bitset_is_older_than_its_ttl(pair):
    store, a, b = pair
    Product.objects.filter(pk=b.pk).update(stock_total=0)
    _train()
    assert recs.viewed_together(product=a, store_id=store.pk).items == []
    Product.objects.filter(pk=b.pk).update(stock_total=3)
    ms = modelset.current_set()
    born, mask = ms.cache["visible"]
    assert (
        recs.viewed_together(product=a, store_id=store.pk).items == []
    )  # the bitset is younger than the TTL
    ms.cache["visible"] = (born - recs.VISIBLE_TTL_S, mask)  # ... and now as old as the documented bound
    assert [it.product.pk for it in recs.viewed_together(product=a, store_id=store.pk).items] == [b.pk]


def test_the_cached_popular_fallback_checks_live_rows_too(pair):
    store, a, b = pair
    w = recs.viewed_together(product=a)  # no model: popular in the category, ranking cached for a minute
    assert w.source == "fallback" and [it.product.pk for it in w.items] == [b.pk]
    w = recs.viewed_together(product=a)  # from the cached ranking, through the cards
    assert [it.product.images.all()[0].alt for it in w.items] == ["first"]
    Product.objects.filter(pk=b.pk).update(status=Product.Status.HIDDEN)
    assert recs.viewed_together(product=a).items == []


def test_popular_fallback_ranks_in_memory_like_the_database_and_keeps_the_store(django_assert_num_queries):
    from kkot.recommendations.selectors import fallback

    store, other = make_store(slug="pop-shop"), make_store(slug="pop-other")
    mine = [make_product(store=store, name=f"셔츠 {i}", code=f"M{i}") for i in range(4)]
    theirs = make_product(store=other, name="셔츠 남의 것", code="T0")
    for p, pop in zip([*mine, theirs], [1.0, 4.0, 2.0, 3.0, 9.0], strict=True):
        Product.objects.filter(pk=p.pk).update(popularity=pop)
    _train()
    newer = make_product(
        store=store, name="새 셔츠", code="NEW"
    )  # unknown to the model set: its page falls back
    expect = [mine[1].pk, mine[3].pk, mine[2].pk, mine[0].pk]
    w = recs.viewed_together(product=newer, store_id=store.pk)
    assert (w.source, w.note) == ("fallback", "unknown_product")
    assert [it.product.pk for it in w.items] == expect
    ms, cat = modelset.current_set(), newer.category_id
    for store_id in (store.pk, None):
        assert fallback._popular_in_memory(ms, category_id=cat, store_id=store_id, limit=10) == [
            pid
            for pid in fallback._popular_ids(category_id=cat, store_id=store_id, limit=10)
            if pid != newer.pk
        ]
    with django_assert_num_queries(2):  # the category's name and the live cards; the ranking costs none
        w = recs.viewed_together(product=newer)
    assert [it.product.pk for it in w.items][:2] == [theirs.pk, mine[1].pk]
    Product.objects.filter(pk=mine[1].pk).update(status=Product.Status.HIDDEN)  # gone at once
    assert [it.product.pk for it in recs.viewed_together(product=newer, store_id=store.pk).items] == expect[
        1:
    ]


def test_this_visits_views_and_past_orders_are_one_statement_each(pair, django_assert_num_queries):
    from kkot.core.testing import make_user

    _store, a, b = pair
    with django_assert_num_queries(1):
        hist = recs.session_history(session="s1")
    assert hist == [
        (e.product_id, e.ts.timestamp()) for e in Event.objects.filter(session="s1").order_by("ts")
    ]
    assert [p for p, _t in hist] == [a.pk, b.pk]
    assert recs.session_history(session="s1", limit=1) == hist[-1:]
    assert recs.session_history(session="") == recs.session_history(session="nope") == []
    shopper = make_user()
    with django_assert_num_queries(1):
        assert recs._bought(shopper.pk, None) == set()
