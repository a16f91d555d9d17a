"""Seller-center 재고 and 배송 pages through the views: warehouses, stock with receive/adjust, movements, low
stock, shipments with their timeline, tracking-event upload, and 발송처리 creating a shipment."""

from datetime import datetime

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kkot.catalog.models import Variant
from kkot.core.testing import make_product, make_user
from kkot.fulfillment.models import Shipment, TrackingEvent
from kkot.inventory.models import StockLevel, StockMovement, Warehouse
from kkot.orders.models import Order
from kkot.orders.tests.factories import place

pytestmark = pytest.mark.django_db


def _msgs(r):
    return [str(m) for m in get_messages(r.wsgi_request)]


@pytest.fixture
def shop(world_orders):
    w = world_orders
    w.shirt = make_product(store=w.store, actor=w.owner, name="재고 셔츠")
    w.variant = w.shirt.variants.get(label="블랙 / M")
    buyer = make_user(email="b3@example.com", name="최구매")
    w.paid = [place(buyer, [(w.variant.pk, 1)]).orders.get() for _ in range(2)]
    return w


def test_warehouses_create_default_and_bad_input(client, shop):
    client.force_login(shop.owner)
    url = f"/seller/{shop.store.slug}/inventory/warehouses/"
    r = client.post(url, {"name": "냉장 창고", "code": "cold-1", "kind": "own", "cold_chain": "on", "postcode": "63100"})
    assert r.status_code == 302 and _msgs(r)[-1] == "창고 '냉장 창고'을(를) 추가했습니다."
    cold = Warehouse.objects.get(store=shop.store, code="cold-1")
    assert cold.cold_chain and not cold.is_default
    before = Warehouse.objects.count()
    r = client.post(url, {"name": "x", "code": "Bad Code!"})
    assert r.status_code == 400 and "창고 코드는 영문 소문자, 숫자, -로 30자 이내입니다." in r.content.decode()
    r = client.post(url, {"name": "또 냉장", "code": "cold-1"})
    assert r.status_code == 400 and "이미 있는 창고 코드입니다." in r.content.decode()
    assert Warehouse.objects.count() == before
    r = client.post(url, {"action": "default", "warehouse": cold.pk})
    assert _msgs(r)[-1] == "'냉장 창고'을(를) 기본 출고지로 정했습니다."
    assert list(Warehouse.objects.filter(store=shop.store, is_default=True)) == [cold]
    r = client.post(url, {"action": "default", "warehouse": Warehouse.objects.create(
        store=shop.other_store, code="x", name="남의 창고").pk})
    assert r.status_code == 400 and "창고를 찾을 수 없습니다." in r.content.decode()
    body = client.get(url).content.decode()
    assert 'data-warehouse="cold-1"' in body and "냉장/냉동 보관 가능" in body


def test_stock_page_opens_the_ledger_receive_and_adjust(client, shop):
    client.force_login(shop.owner)
    url = f"/seller/{shop.store.slug}/inventory/"
    r = client.get(url, {"q": "재고 셔츠"})
    assert r.status_code == 200
    v = Variant.objects.get(pk=shop.variant.pk)
    levels = StockLevel.objects.filter(variant=v)
    assert sum(lv.available for lv in levels) == v.stock
    wh = levels.get().warehouse
    assert f'data-level="{v.pk}-{wh.pk}"' in r.content.decode()
    r = client.post(url, {"action": "receive", "warehouse": wh.pk, "variant": v.pk, "qty": "5", "reason": "5월 입고"})
    assert _msgs(r)[-1] == "5개를 입고했습니다."
    assert Variant.objects.get(pk=v.pk).stock == v.stock + 5
    n = StockMovement.objects.count()
    r = client.post(url, {"action": "adjust", "warehouse": wh.pk, "variant": v.pk, "qty": "-2", "reason": ""})
    assert _msgs(r)[-1] == "조정 사유를 입력해 주세요."
    lv = StockLevel.objects.get(variant=v, warehouse=wh)
    r = client.post(url, {"action": "adjust", "warehouse": wh.pk, "variant": v.pk, "qty": str(-(lv.available + 1)),
                          "reason": "파손"})
    assert _msgs(r)[-1] == (f"재고를 0개 아래로 줄일 수 없습니다. 이 창고의 판매 가능 재고는 {lv.available}개"
                            f"(실재고 {lv.on_hand}개, 주문 예약 {lv.reserved}개)입니다.")
    r = client.post(url, {"action": "receive", "warehouse": wh.pk, "variant": v.pk, "qty": "abc"})
    assert _msgs(r)[-1] == "수량은 정수로 입력해 주세요."
    assert StockMovement.objects.count() == n  # nothing stored by the refused forms
    r = client.post(url, {"action": "adjust", "warehouse": wh.pk, "variant": v.pk, "qty": "-2", "reason": "파손",
                          "next": f"{url}?q=x"})
    assert r["Location"] == f"{url}?q=x" and _msgs(r)[-1] == "재고를 -2개 조정했습니다."
    r = client.post(url, {"action": "adjust", "warehouse": wh.pk, "variant": v.pk, "qty": "1", "reason": "x",
                          "next": "https://evil.example/"})
    assert r["Location"] == url
    assert Variant.objects.get(pk=v.pk).stock == v.stock + 4
    # Another store's variant: not found, nothing changes.
    other = make_product(store=shop.other_store, actor=shop.other_owner).variants.first()
    r = client.post(url, {"action": "receive", "warehouse": wh.pk, "variant": other.pk, "qty": "3"})
    assert _msgs(r)[-1] == "옵션을 찾을 수 없습니다." and Variant.objects.get(pk=other.pk).stock == other.stock


def test_movements_filters_and_low_stock(client, shop):
    client.force_login(shop.owner)
    client.get(f"/seller/{shop.store.slug}/inventory/")  # opens the ledger
    url = f"/seller/{shop.store.slug}/inventory/movements/"
    r = client.get(url)
    assert r.status_code == 200 and r.context["page"].paginator.count == StockMovement.objects.filter(
        warehouse__store=shop.store).count() > 0
    r = client.get(url, {"kind": "reserve"})
    assert {m.kind for m in r.context["page"]} == {"reserve"}
    r = client.get(url, {"q": "재고 셔츠", "kind": "receive"})
    assert [m.variant.product.name for m in r.context["page"]] == ["재고 셔츠"] * r.context["page"].paginator.count
    r = client.get(url, {"from": "2001-01-01", "to": "2001-01-02", "kind": "bogus", "warehouse": "x"})
    assert r.context["page"].paginator.count == 0 and "조건에 맞는 입출고 내역이 없습니다." in r.content.decode()
    # Sell the option out: it is on the low-stock list with 0 days of cover and a reorder suggestion.
    v = Variant.objects.get(pk=shop.variant.pk)
    place(make_user(), [(v.pk, v.stock)])
    r = client.get(f"/seller/{shop.store.slug}/inventory/low-stock/")
    rows = {row.variant.pk: row for row in r.context["rows"]}
    assert rows[v.pk].available == 0 and rows[v.pk].days_of_cover == 0 and rows[v.pk].reorder_qty > 0
    assert f'data-variant="{v.pk}"' in r.content.decode()


def test_ship_creates_a_shipment_and_the_timeline_page(client, shop):
    client.force_login(shop.owner)
    o = shop.paid[0]
    r = client.post(f"/seller/{shop.store.slug}/orders/{o.pk}/ship/", {"carrier": "cj", "tracking_number": "123456789012"})
    assert _msgs(r)[-1] == "이미 등록된 송장번호입니다."  # the world's delivered order uses it
    assert Order.objects.get(pk=o.pk).status == "paid" and not Shipment.objects.filter(order=o).exists()
    r = client.post(f"/seller/{shop.store.slug}/orders/{o.pk}/ship/", {"carrier": "cj", "tracking_number": "223456789012"})
    s = Shipment.objects.get(order=o)
    assert (Order.objects.get(pk=o.pk).status, s.carrier, s.tracking_number, s.status) == (
        "shipping", "cj", "223456789012", "ready")
    r = client.get(f"/seller/{shop.store.slug}/shipments/", {"status": "ready"})
    world_shipment = shop.order.shipments.get()  # the world's order, marked delivered without carrier events
    assert [x.pk for x in r.context["page"]] == [s.pk, world_shipment.pk] and 'data-tab="ready"' in r.content.decode()
    r = client.get(f"/seller/{shop.store.slug}/shipments/", {"q": o.number})
    assert [x.pk for x in r.context["page"]] == [s.pk]
    # Upload the carrier's steps: a broken file applies nothing; a good one moves the order along.
    up = f"/seller/{shop.store.slug}/shipments/events-upload/"
    bad = ("택배사,송장번호,배송단계,일시\nCJ대한통운,223456789012,집하,2030-01-02 18:00\n"
           "없는택배,1,집하,2030-01-02\nCJ대한통운,999999999999,집하,2030-01-02 18:00\n"
           "CJ대한통운,223456789012,날아감,2030-01-02 18:00\nCJ대한통운,223456789012,배송완료,어제\n").encode()
    r = client.post(up, {"file": SimpleUploadedFile("e.csv", bad, "text/csv")})
    assert [(e["row"], e["column"]) for e in r.context["cell_errors"]] == [
        (3, "택배사"), (4, "송장번호"), (5, "배송단계"), (6, "일시")]
    assert "오류 4건: 아무것도 반영하지 않았습니다." in r.content.decode()
    assert not TrackingEvent.objects.exists()
    good = ("택배사,송장번호,배송단계,일시,위치\nCJ대한통운,223456789012,배송완료,2030-01-03 15:00,고객 전달\n"
            "CJ대한통운,223456789012,집하,2030-01-02 18:00,집하점\n").encode()
    r = client.post(up, {"file": SimpleUploadedFile("e.csv", good, "text/csv")})
    assert _msgs(r)[-1] == "배송 단계 2건을 반영했습니다."
    r = client.post(up, {"file": SimpleUploadedFile("e.csv", good, "text/csv")})
    assert _msgs(r)[-1] == "배송 단계 0건을 반영했습니다. (이미 있던 2건은 그대로 두었습니다.)"
    delivered = timezone.make_aware(datetime(2030, 1, 3, 15, 0))
    assert Order.objects.get(pk=o.pk).delivered_at == delivered
    r = client.get(f"/seller/{shop.store.slug}/shipments/{s.pk}/")
    assert [e.code for e in r.context["events"]] == ["picked_up", "delivered"]
    body = r.content.decode()
    assert body.index('data-code="picked_up"') < body.index('data-code="delivered"') and "고객 전달" in body


def test_tracking_sheet_creates_shipments(client, shop):
    client.force_login(shop.owner)
    a, b = shop.paid
    data = f"주문번호,택배사,송장번호\n{a.number},한진택배,323456789012\n{b.number},cj,123456789012\n".encode()
    r = client.post(f"/seller/{shop.store.slug}/orders/tracking-upload/",
                    {"file": SimpleUploadedFile("t.csv", data, "text/csv")})
    assert "발송처리 1건, 변경 없음 0건, 오류 1건" in r.content.decode()
    assert "<td>3</td><td>송장번호</td><td>이미 등록된 송장번호입니다.</td>" in r.content.decode()
    assert Shipment.objects.get(order=a).tracking_number == "323456789012"
    assert Order.objects.get(pk=b.pk).status == "paid" and not Shipment.objects.filter(order=b).exists()
