import pytest

from kkot.catalog.models import Product, Variant
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.inventory import services as inv
from kkot.inventory.models import BackInStockRequest, StockLevel, StockMovement, Warehouse

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    store = make_store()
    owner = store.memberships.get().user
    p = make_product(store=store)
    return store, owner, p


def test_first_use_creates_default_warehouse_and_opening_receive(shop):
    store, owner, p = shop
    assert not Warehouse.objects.filter(store=store).exists()
    v = p.variants.get(label="블랙 / M")
    inv.inventory_reserve(quantities={v.pk: 2})
    wh = Warehouse.objects.get(store=store)
    assert (wh.name, wh.is_default, wh.code) == ("기본 창고", True, "main")
    kinds = list(StockMovement.objects.filter(variant=v).order_by("pk").values_list("kind", "qty", "reason"))
    assert kinds == [("receive", 5, "기초 재고"), ("reserve", -2, "")]
    lv = StockLevel.objects.get(variant=v)
    assert (lv.on_hand, lv.reserved) == (5, 2)
    assert Variant.objects.get(pk=v.pk).stock == 3


def test_reserve_more_than_available_takes_nothing(shop):
    store, owner, p = shop
    a, b = p.variants.get(label="블랙 / M"), p.variants.get(label="화이트 / M")
    with pytest.raises(Conflict) as e:
        inv.inventory_reserve(quantities={a.pk: 1, b.pk: 4})
    assert e.value.code == "out_of_stock"
    assert "남은 수량 3개" in e.value.message
    assert not StockMovement.objects.filter(kind="reserve").exists()
    assert Variant.objects.get(pk=a.pk).stock == 5


def test_adjust_below_zero_is_refused_in_korean_and_changes_nothing(shop):
    store, owner, p = shop
    v = p.variants.get(label="화이트 / L")  # 2 in stock
    inv.inventory_reserve(quantities={v.pk: 1})
    wh = Warehouse.objects.get(store=store)
    n = StockMovement.objects.count()
    with pytest.raises(ValidationError) as e:
        inv.stock_adjust(store=store, actor=owner, warehouse_id=wh.pk, variant_id=v.pk, delta=-2, reason="파손")
    assert e.value.code == "below_zero"
    assert e.value.message == ("재고를 0개 아래로 줄일 수 없습니다. 이 창고의 판매 가능 재고는 1개(실재고 2개, 주문 예약 1개)입니다.")
    assert StockMovement.objects.count() == n
    assert Variant.objects.get(pk=v.pk).stock == 1
    mv = inv.stock_adjust(store=store, actor=owner, warehouse_id=wh.pk, variant_id=v.pk, delta=-1, reason="파손")
    assert (mv.kind, mv.qty, mv.reason, mv.actor) == ("adjust", -1, "파손", owner)
    assert Variant.objects.get(pk=v.pk).stock == 0
    assert Product.objects.get(pk=p.pk).stock_total == 8


@pytest.mark.parametrize("delta,reason,code", [("abc", "x", "invalid_qty"), (0, "x", "invalid_qty"),
                                               (5, "", "reason_required"), (10**7, "x", "invalid_qty")])
def test_adjust_bad_input(shop, delta, reason, code):
    store, owner, p = shop
    wh = inv.warehouse_default(store=store)
    v = p.variants.first()
    with pytest.raises(ValidationError) as e:
        inv.stock_adjust(store=store, actor=owner, warehouse_id=wh.pk, variant_id=v.pk, delta=delta, reason=reason)
    assert e.value.code == code
    assert not StockMovement.objects.filter(kind="adjust").exists()


def test_other_store_cannot_touch_stock(shop):
    store, owner, p = shop
    other = make_store()
    other_owner = other.memberships.get().user
    other_wh = inv.warehouse_default(store=other)
    wh = inv.warehouse_default(store=store)
    v = p.variants.first()
    with pytest.raises(NotFound):
        inv.stock_receive(store=other, actor=other_owner, warehouse_id=other_wh.pk, variant_id=v.pk, qty=3)
    with pytest.raises(NotFound):
        inv.stock_receive(store=store, actor=owner, warehouse_id=other_wh.pk, variant_id=v.pk, qty=3)
    from kkot.core.errors import PermissionDenied

    with pytest.raises((PermissionDenied, NotFound)):
        inv.stock_receive(store=store, actor=other_owner, warehouse_id=wh.pk, variant_id=v.pk, qty=3)
    assert not StockMovement.objects.filter(kind="receive", reason="").exists()


def test_cold_chain_goods_only_in_capable_warehouses(shop):
    store, owner, p = shop
    Product.objects.filter(pk=p.pk).update(cold_chain=True)
    dry = inv.warehouse_create(store=store, actor=owner, name="상온 창고", code="dry")
    cold = inv.warehouse_create(store=store, actor=owner, name="냉동 창고", code="cold", cold_chain=True)
    v = p.variants.first()
    with pytest.raises(ValidationError) as e:
        inv.stock_receive(store=store, actor=owner, warehouse_id=dry.pk, variant_id=v.pk, qty=3)
    assert e.value.code == "cold_chain_warehouse"
    inv.stock_receive(store=store, actor=owner, warehouse_id=cold.pk, variant_id=v.pk, qty=3)
    # the opening balance also went to the cold warehouse
    assert set(StockLevel.objects.filter(variant=v).values_list("warehouse__code", flat=True)) == {"cold"}


def test_warehouse_create_validation(shop):
    store, owner, p = shop
    with pytest.raises(ValidationError):
        inv.warehouse_create(store=store, actor=owner, name="", code="a")
    with pytest.raises(ValidationError):
        inv.warehouse_create(store=store, actor=owner, name="창고", code="한글")
    inv.warehouse_create(store=store, actor=owner, name="창고", code="a1")
    with pytest.raises(Conflict):
        inv.warehouse_create(store=store, actor=owner, name="창고2", code="a1")
    assert Warehouse.objects.get(store=store).is_default


def test_product_form_edit_is_reconciled_as_adjust(shop):
    store, owner, p = shop
    v = p.variants.get(label="블랙 / M")
    inv.stock_sync(store=store)
    Variant.objects.filter(pk=v.pk).update(stock=9)
    inv.inventory_reserve(quantities={v.pk: 1})
    mv = StockMovement.objects.filter(variant=v, kind="adjust").get()
    assert (mv.qty, mv.reason) == (4, "상품 정보 수정")
    assert Variant.objects.get(pk=v.pk).stock == 8


def test_back_in_stock_request(shop):
    store, owner, p = shop
    shopper = make_user()
    sold_out = p.variants.get(label="블랙 / L")
    r = inv.back_in_stock_request(user=shopper, variant_id=sold_out.pk)
    assert inv.back_in_stock_request(user=shopper, variant_id=sold_out.pk) == r
    with pytest.raises(ValidationError) as e:
        inv.back_in_stock_request(user=shopper, variant_id=p.variants.get(label="블랙 / M").pk)
    assert e.value.code == "in_stock"
    with pytest.raises(NotFound):
        inv.back_in_stock_request(user=shopper, variant_id="x")
    assert BackInStockRequest.objects.count() == 1
