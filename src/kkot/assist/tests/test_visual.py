"""Visual index kept in sync with products, search by photo in the storefront, rebuild command."""

import io

import pytest
from django.core.management import call_command

from kkot.assist.models import VisualIndexState
from kkot.assist.services import visual
from kkot.assist.services.checks import image_add_checked
from kkot.assist.tests.conftest import picture
from kkot.catalog.models import Product
from kkot.catalog.services import products_set_status
from kkot.core.testing import make_product, make_store, upload

pytestmark = pytest.mark.django_db


def _world(run_tasks):
    stores = [make_store(), make_store()]
    made = {}
    with run_tasks():
        for si, store in enumerate(stores):
            owner = store.memberships.get(role="owner").user
            for i, (shape, rgb) in enumerate(
                [("shirt", (30, 40, 90)), ("pants", (200, 30, 40)), ("bag", (235, 200, 40))]
            ):
                p = make_product(store=store, code=f"{shape}{si}", name=f"{shape} {si}")
                image_add_checked(
                    product=p, actor=owner, upload=upload(picture(shape=shape, rgb=rgb, seed=i + 10 * si))
                )
                made[(shape, si)] = p
    return stores, made


def test_index_follows_products_and_photo_search_finds_similar_visible_in_stock_products(client, run_tasks):
    stores, made = _world(run_tasks)
    assert VisualIndexState.objects.get().items == 6 and visual.current_index() is not None
    v0 = visual.current_version()
    hits = visual.visual_similar(product_id=made[("pants", 0)].pk, k=3)
    assert hits[0].product == made[("pants", 1)]  # the other store's red pants, across stores
    # hidden -> out of the index (task after the status change); sold out stays indexed but is not shown
    owner = stores[1].memberships.get(role="owner").user
    with run_tasks():
        products_set_status(
            store=stores[1], actor=owner, product_ids=[made[("pants", 1)].pk], status="hidden"
        )
        from kkot.assist.tasks import product_changed_task

        product_changed_task.enqueue(product_ids=[made[("pants", 1)].pk])
    assert visual.current_version() > v0 and VisualIndexState.objects.get().items == 5
    Product.objects.filter(pk=made[("bag", 1)].pk).update(stock_total=0)
    r = client.post("/search/photo/", {"photo": upload(picture(shape="pants", rgb=(190, 40, 40), seed=99))})
    assert r.status_code == 302
    r = client.get("/search/photo/")
    html = r.content.decode()
    ids = [h.product.pk for h in r.context["hits"]]
    assert ids[0] == made[("pants", 0)].pk
    assert made[("pants", 1)].pk not in ids and made[("bag", 1)].pk not in ids
    assert 'capture="environment"' in html and "레드" in r.context["chips"]
    r = client.get("/search/photo/", {"colour": "레드"})
    assert [h.product.pk for h in r.context["hits"]] == [made[("pants", 0)].pk]


def test_photo_search_rejects_bad_files_clearly(client, run_tasks):
    r = client.post("/search/photo/", {"photo": upload(b"GIF89a broken", "x.gif", "image/gif")})
    assert r.status_code == 400 and "이미지" in r.context["error"]
    r = client.post("/search/photo/", {})
    assert r.status_code == 400 and "사진" in r.context["error"]


def test_index_reloads_when_another_process_publishes_and_the_command_rebuilds(run_tasks):
    _stores, made = _world(run_tasks)
    idx = visual.current_index()
    visual.reset_cache()
    call_command("assist_visual_rebuild", stdout=io.StringIO())
    again = visual.current_index()
    assert again is not idx and len(again) == 6
    Product.objects.filter(pk=made[("shirt", 0)].pk).delete()
    call_command("assist_visual_rebuild", "--reanalyse", stdout=io.StringIO())
    assert len(visual.current_index()) == 5


def test_index_uses_the_catalog_trained_search_head_once_there_is_enough_catalog(client, run_tasks, monkeypatch):
    from kkot.assist.services import learn
    from kkot.assist.tasks import assist_models_train_task, product_changed_task
    from kkot.core.testing import leaf_category

    store = make_store()
    owner = store.memberships.get(role="owner").user
    kinds = {"w-tshirt": "shirt", "w-pants": "pants", "shoulder-bag": "bag"}
    colours = {"네이비": (30, 40, 90), "레드": (200, 30, 40)}
    made = {}
    with run_tasks():
        for slug, shape in kinds.items():
            for name, rgb in colours.items():
                for i in range(3):
                    p = make_product(store=store, code=f"{shape}-{name}-{i}", name=f"{shape} {i}",
                                     category_id=leaf_category(slug).pk, attributes={"color": [name]})
                    image_add_checked(product=p, actor=owner,
                                      upload=upload(picture(shape=shape, rgb=rgb, seed=i + 7 * len(made))))
                    made[(shape, name, i)] = p
    raw_dim = visual.current_index().dim
    assert visual.current_index().head is None  # too small a catalog: the stored vectors as they are
    assert learn.search_head_train() == ""
    monkeypatch.setattr(learn, "MIN_SEARCH_PRODUCTS", 10)
    monkeypatch.setattr(learn, "MIN_COLOUR_CLASSES", 2)
    with run_tasks():
        assist_models_train_task.enqueue()
    idx = visual.current_index()
    assert idx.head is not None and idx.head.colour is not None and idx.dim == idx.head.dim != raw_dim
    assert VisualIndexState.objects.get().model_version.endswith("|" + learn.search_head_version())
    hits = visual.visual_similar(product_id=made[("pants", "레드", 0)].pk, k=2)
    assert [h.product.pk for h in hits] and all(h.product.category_id == leaf_category("w-pants").pk for h in hits)
    # a product edit goes to the delta through the same head
    v0 = visual.current_version()
    with run_tasks():
        product_changed_task.enqueue(product_ids=[made[("bag", "네이비", 0)].pk])
    assert visual.current_version() > v0 and visual.current_index().head is not None
    assert visual.visual_similar(product_id=made[("bag", "네이비", 0)].pk, k=1)[0].product.category_id == (
        leaf_category("shoulder-bag").pk
    )
    # a shopper's photo is searched through the head too
    r = client.post("/search/photo/", {"photo": upload(picture(shape="pants", rgb=(195, 35, 40), seed=99))})
    assert r.status_code == 302
    hits = client.get("/search/photo/").context["hits"]
    assert hits and hits[0].product.category_id == leaf_category("w-pants").pk
    # a new head: the next sync rebuilds the index through it
    old = learn.search_head_version()
    import time

    time.sleep(0.01)
    assert learn.search_head_train() not in ("", old)
    with run_tasks():
        product_changed_task.enqueue(product_ids=[made[("shirt", "레드", 1)].pk])
    assert VisualIndexState.objects.get().model_version.endswith("|" + learn.search_head_version())
