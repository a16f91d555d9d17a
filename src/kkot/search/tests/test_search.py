from decimal import Decimal

import pytest

from kkot.catalog.models import Category, Product
from kkot.catalog.services import product_input_from_instance, product_update
from kkot.core.testing import leaf_category, make_product, make_store
from kkot.search.selectors import SearchQuery, search_products

pytestmark = pytest.mark.django_db


def _names(result):
    return [p.name for p in result.products]


def _search(q, **kw):
    return search_products(SearchQuery(q=q, **kw))


@pytest.fixture
def catalog():
    a = make_store(slug="store-a", name="꽃옷가게")
    b = make_store(slug="store-b", name="바람상회")

    def add(store, name, slug, price, **kw):
        kw.setdefault("tags", [])
        kw.setdefault("description_html", "")
        kw.setdefault("sale_price", None)
        kw.setdefault("attributes", {})
        return make_product(store=store, name=name, category_id=leaf_category(slug).pk, price=price, **kw)

    p = {
        "linen_shirt": add(a, "린넨 오버핏 셔츠", "w-blouse", 39000, sale_price=29000,
                           attributes={"material": ["린넨"], "color": ["화이트"]}),
        "tshirt": add(a, "코튼 반팔 티셔츠", "w-tshirt", 15000, attributes={"material": ["면"], "color": ["블랙"]}),
        "linen_pants": add(b, "린넨 와이드 팬츠", "w-pants", 45000, attributes={"material": ["린넨"], "color": ["베이지"]}),
        "mtm": add(b, "기모 맨투맨", "m-tshirt", 32000, attributes={"material": ["면"], "color": ["블랙"]}),
        "denim": add(b, "데님 와이드 팬츠", "w-jeans", 52000, tags=["청청"]),
        "hidden": add(a, "린넨 셔츠 숨김상품", "w-blouse", 10000, status=Product.Status.HIDDEN),
        "cream": add(a, "수분 크림 100ml", "cream", 18000, attributes={}),
    }
    return {"a": a, "b": b, **p}


def test_spacing_variants_find_the_linen_shirt_first(catalog):
    joined = _search("린넨셔츠")
    spaced = _search("린넨 셔츠")
    assert _names(joined)[0] == "린넨 오버핏 셔츠"
    assert _names(spaced)[0] == "린넨 오버핏 셔츠"
    assert joined.tokens == ["린넨", "셔츠"]
    assert joined.highlights[catalog["linen_shirt"].pk] == "<mark>린넨</mark> 오버핏 <mark>셔츠</mark>"


def test_ranking_and_strict_matching(catalog):
    assert _names(_search("린넨 팬츠")) == ["린넨 와이드 팬츠"]
    assert _names(_search("와이드 팬츠")) == ["데님 와이드 팬츠", "린넨 와이드 팬츠"]
    assert _names(_search("크림")) == ["수분 크림 100ml"]
    assert _names(_search("100ml")) == ["수분 크림 100ml"]


def test_typo_and_synonym(catalog):
    typo = _search("멘투멘")
    assert _names(typo) == ["기모 맨투맨"]
    assert typo.highlights[catalog["mtm"].pk] == "기모 <mark>맨투맨</mark>"
    assert _names(_search("청바지")) == ["데님 와이드 팬츠"]
    assert _names(_search("스웨트셔츠")) == ["기모 맨투맨"]


def test_zero_result_recovery_relaxes_to_half_of_the_terms(catalog):
    assert _names(_search("린넨 카고")) == ["린넨 와이드 팬츠", "린넨 오버핏 셔츠"]


def test_store_filter(catalog):
    assert _names(_search("린넨", store_id=catalog["b"].pk)) == ["린넨 와이드 팬츠"]
    assert _names(_search("린넨", store_id=catalog["a"].pk)) == ["린넨 오버핏 셔츠"]


def test_hidden_suspended_and_closed_store_never_appear(catalog):
    assert "린넨 셔츠 숨김상품" not in _names(_search("숨김상품"))
    assert _search("숨김상품").total == 0
    Product.objects.filter(pk=catalog["linen_pants"].pk).update(status=Product.Status.SUSPENDED)
    # .update() without updated_at is not seen; the services always bump updated_at:
    from django.utils import timezone

    Product.objects.filter(pk=catalog["linen_pants"].pk).update(updated_at=timezone.now())
    assert _names(_search("린넨")) == ["린넨 오버핏 셔츠"]
    type(catalog["a"]).objects.filter(pk=catalog["a"].pk).update(status="closed")
    assert _search("린넨").total == 0
    assert _search("린넨", store_id=catalog["a"].pk).total == 0


def test_renamed_product_found_by_new_name_without_rebuild(catalog):
    assert _names(_search("쉬폰")) == []
    p = catalog["tshirt"]
    data = product_input_from_instance(p)
    data.name = "여름 쉬폰 티셔츠"
    owner = p.store.memberships.get(role="owner").user
    product_update(product=p, actor=owner, data=data)
    assert _names(_search("쉬폰")) == ["여름 쉬폰 티셔츠"]
    assert _names(_search("코튼")) == []
    # the delta product keeps the platform statistics: same score as after a full rebuild
    from kkot.search.index import ENGINE

    assert ENGINE.snapshot().delta.n == 1
    before = _search("셔츠")
    assert _names(before) == ["린넨 오버핏 셔츠", "여름 쉬폰 티셔츠", "기모 맨투맨"]
    ENGINE.rebuild()
    assert ENGINE.snapshot().delta is None
    assert _names(_search("셔츠")) == _names(before)


def test_deleted_product_disappears(catalog):
    assert _search("크림").total == 1
    catalog["cream"].delete()
    assert _search("크림").total == 0


def test_new_product_found(catalog):
    _search("린넨")
    make_product(store=catalog["a"], name="린넨 셔츠 원피스", category_id=leaf_category("w-onepiece").pk, price=59000,
                 sale_price=None, tags=[], description_html="", attributes={})
    assert _names(_search("원피스")) == ["린넨 셔츠 원피스"]


def test_highlight_escapes_html(catalog):
    p = make_product(store=catalog["a"], name="<b>x</b> 셔츠", category_id=leaf_category("w-blouse").pk, price=9000,
                     sale_price=None, tags=[], description_html="", attributes={})
    r = _search("x")
    assert _names(r) == ["<b>x</b> 셔츠"]
    assert r.highlights[p.pk] == "&lt;b&gt;<mark>x</mark>&lt;/b&gt; 셔츠"


def test_facets_exact(catalog):
    r = _search("린넨")
    fashion = Category.objects.get(slug="fashion")
    assert r.facets["category"] == [(fashion, 2)]
    assert sorted((s.slug, n) for s, n in r.facets["store"]) == [("store-a", 1), ("store-b", 1)]
    assert r.facets["attributes"] == {"material": {"린넨": 2}, "color": {"베이지": 1, "화이트": 1}}
    assert r.facets["price"] == {"min": Decimal("29000"), "max": Decimal("45000")}
    # under a chosen category: the next level
    r = _search("팬츠", category_id=fashion.pk)
    assert r.facets["category"] == [(Category.objects.get(slug="women"), 2)]
    r = _search("팬츠", category_id=Category.objects.get(slug="women").pk)
    assert sorted((c.slug, n) for c, n in r.facets["category"]) == [("w-jeans", 1), ("w-pants", 1)]


def test_attribute_filter_with_disjunctive_facet(catalog):
    r = _search("셔츠", attributes={"color": ["블랙"]})
    assert _names(r) == ["코튼 반팔 티셔츠", "기모 맨투맨"]
    assert r.facets["attributes"]["color"] == {"블랙": 2, "화이트": 1}
    assert r.facets["attributes"]["material"] == {"면": 2}


def test_price_stock_and_sorts(catalog):
    r = _search("팬츠", sort="price_asc")
    assert _names(r) == ["린넨 와이드 팬츠", "데님 와이드 팬츠"]
    assert _names(_search("팬츠", sort="price_desc")) == ["데님 와이드 팬츠", "린넨 와이드 팬츠"]
    assert _names(_search("팬츠", max_price=Decimal("50000"))) == ["린넨 와이드 팬츠"]
    assert _names(_search("린넨", min_price=Decimal("30000"))) == ["린넨 와이드 팬츠"]  # shirt sells at 29,000
    assert _names(_search("셔츠", sort="new")) == ["기모 맨투맨", "코튼 반팔 티셔츠", "린넨 오버핏 셔츠"]
    assert _names(_search("셔츠", sort="bogus"))[0] == "린넨 오버핏 셔츠"
    Product.objects.filter(pk=catalog["tshirt"].pk).update(stock_total=0)
    from kkot.search.index import ENGINE

    ENGINE.rebuild()
    assert "코튼 반팔 티셔츠" not in _names(_search("셔츠", in_stock=True))


def test_paging(catalog):
    r = _search("셔츠", per_page=2, page=2)
    assert (r.total, r.page, r.per_page, _names(r)) == (3, 2, 2, ["기모 맨투맨"])
    assert _search("셔츠", per_page=2, page=9).products == []


@pytest.mark.parametrize("q", ["", "   ", "\t\n", "!!!"])
def test_empty_query_gives_empty_result(catalog, q):
    r = _search(q)
    assert (r.products, r.total, r.tokens) == ([], 0, [])


def test_long_query_is_truncated(catalog):
    r = _search("린넨 " * 400)
    assert _names(r)[0] in ("린넨 와이드 팬츠", "린넨 오버핏 셔츠")
    assert r.total == 2


def test_unknown_ids_give_empty_result(catalog):
    assert _search("린넨", category_id=999_999).total == 0
    assert _search("린넨", store_id=999_999).total == 0
    r = _search("린넨", attributes={"nope": ["x"]})
    assert r.total == 0


def test_index_persisted_and_reloaded(catalog, settings):
    from pathlib import Path

    from kkot.search import index
    from kkot.search.index import engine

    _search("린넨")
    version = index.ENGINE.snapshot().main.version
    assert (Path(settings.KKOT_SEARCH_DIR) / version / "columns.npz").exists()
    index.ENGINE.reset()  # a restart
    calls = []
    real = engine.load_docs  # the name the engine calls
    engine.load_docs = lambda *a, **k: calls.append(a) or real(*a, **k)
    try:
        assert _names(_search("린넨 셔츠"))[0] == "린넨 오버핏 셔츠"
    finally:
        engine.load_docs = real
    assert index.ENGINE.snapshot().main.version == version
    assert () not in calls  # no full re-tokenisation; at most a re-check of a few recently changed ids


def test_rebuild_task(catalog):
    from kkot.search.tasks import search_index_rebuild

    assert search_index_rebuild.call() == 6



def test_delta_scores_equal_main_scores():
    """A product indexed in the delta scores exactly as it would inside a full build (bm25s statistics)."""
    import numpy as np

    from kkot.search.index import _COLUMNS, Doc, build_delta, build_main

    def doc(pid, tokens):
        return Doc(pid=pid, tokens=tokens, cols={k: 0 for k in _COLUMNS} | {"pid": pid, "prior_raw": 0.0}, attrs=[])

    corpus = [doc(1, ["n:린넨", "n:셔츠", "여름"]), doc(2, ["n:면", "n:셔츠"]), doc(3, ["n:린넨", "n:팬츠", "n:와이드"]),
              doc(4, ["n:셔츠", "n:린넨", "린넨", "시원"])]
    full = build_main(corpus, watermark_us=0)
    base = build_main(corpus[:3], watermark_us=0)
    delta = build_delta([corpus[3]], base)
    for token in ["n:린넨", "n:셔츠", "린넨", "시원"]:
        assert np.isclose(delta.token_scores(token)[0], full.token_scores(token)[3], rtol=1e-5)
