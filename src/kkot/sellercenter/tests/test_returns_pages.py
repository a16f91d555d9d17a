"""Seller pages for return pickups (회수·검수) and the on-time rate of delivery promises."""

import html
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from kkot.fulfillment.models import PromiseRecord, ReturnCase, Shipment
from kkot.fulfillment.services import tracking_event_record
from kkot.inventory.models import StockMovement
from kkot.orders.models import Claim, Refund

pytestmark = pytest.mark.django_db


def _png():
    buf = io.BytesIO()
    Image.new("RGB", (30, 30), (10, 200, 10)).save(buf, format="PNG")
    return SimpleUploadedFile("ok.png", buf.getvalue(), content_type="image/png")


def _msgs(r) -> str:
    return html.unescape(r.content.decode())


def test_accept_pickup_inspect_restock_refund_through_the_pages(
    client, world_orders, django_capture_on_commit_callbacks
):
    w = world_orders
    slug = w.store.slug
    client.force_login(w.owner)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("sellercenter:claim_approve", args=[slug, w.claim.pk]), follow=True)
    case = ReturnCase.objects.get(claim=w.claim)
    assert r.redirect_chain[-1][0] == reverse("sellercenter:return_detail", args=[slug, case.pk])
    page = _msgs(r)
    assert (
        "택배사에 회수를 요청했습니다" in page and case.pickup.tracking_number in page and "회수요청" in page
    )
    lst = client.get(reverse("sellercenter:returns", args=[slug]))
    assert lst.status_code == 200 and f'data-case="{case.pk}"' in lst.content.decode()
    detail = client.get(reverse("sellercenter:order_detail", args=[slug, w.order.pk])).content.decode()
    assert f'class="return-case" data-case="{case.pk}"' in detail
    url = reverse("sellercenter:return_detail", args=[slug, case.pk])
    # inspecting before the parcel is back: refused in Korean, nothing changes
    r = client.post(url, {"action": "inspect_pass"}, follow=True)
    assert "'회수요청' 상태의 회수·검수는 '검수통과'(으)로 바꿀 수 없습니다." in _msgs(r)
    tracking_event_record(
        shipment=case.pickup, code="picked_up", occurred_at=timezone.now() - timedelta(hours=5)
    )
    tracking_event_record(
        shipment=case.pickup, code="delivered", occurred_at=timezone.now() - timedelta(hours=1)
    )
    r = client.post(url, {"action": "inspect_fail", "note": ""}, follow=True)
    assert "불합격 사유를 입력해 주세요." in _msgs(r)
    r = client.post(url, {"action": "inspect_pass", "note": "양호", "photos": [_png()]}, follow=True)
    assert "검수 통과로 기록했습니다." in _msgs(r) and "검수 사진" in _msgs(r)
    wh = w.store.warehouses.get(is_default=True)
    r = client.post(url, {"action": "restock", "warehouse": wh.pk}, follow=True)
    assert "재입고했습니다." in _msgs(r)
    case.refresh_from_db()
    assert case.status == "completed"
    assert Claim.objects.get(pk=w.claim.pk).status == "completed"
    assert Refund.objects.filter(claim=w.claim).count() == 1
    assert StockMovement.objects.filter(kind="return_restock", warehouse=wh).count() == 1
    # the shopper follows the pickup on their order page
    client.force_login(w.order.user)
    me = client.get(reverse("storefront:order_detail", args=[w.order.pk])).content.decode()
    assert case.pickup.tracking_number in me and 'data-kind="pickup"' in me and "판매자 도착" in me
    assert 'class="return-case" data-status="completed"' in me


def test_viewer_sees_the_return_page_read_only(client, world_orders):
    from kkot.fulfillment.returns import claim_accept

    w = world_orders
    case = claim_accept(store=w.store, actor=w.owner, claim_id=w.claim.pk)
    client.force_login(w.viewer)
    url = reverse("sellercenter:return_detail", args=[w.store.slug, case.pk])
    page = client.get(url).content.decode()
    assert "보기 전용" in page and 'value="inspect_pass"' not in page
    r = client.post(url, {"action": "retry_pickup"}, follow=True)
    assert "이 작업을 할 권한이 없습니다" in r.content.decode()
    assert ReturnCase.objects.get(pk=case.pk).status == "pickup_requested"
    assert Shipment.objects.filter(kind="pickup").count() == 1


def test_promise_page_rates_by_week_carrier_and_region(client, world_orders):
    w = world_orders
    today = timezone.localdate()
    order = w.order
    PromiseRecord.objects.create(
        order=order,
        store=w.store,
        kind="date",
        promised_date=today - timedelta(days=3),
        probability=0.93,
        support=40,
        text="내일 도착",
        on_time=True,
        days_late=-1,
        created_at=timezone.now() - timedelta(days=4),
    )
    client.force_login(w.owner)
    r = client.get(reverse("sellercenter:promise_performance", args=[w.store.slug]))
    page = r.content.decode()
    assert r.status_code == 200
    assert 'id="promise-chart"' in page and "100.0%" in page and "CJ대한통운" in page and "수도권" in page
    assert "주문 1건 중 1건" in page
    empty = client.get(reverse("sellercenter:promise_performance", args=[w.other_store.slug]))
    assert empty.status_code == 404  # another store's page does not exist for this seller
    client.force_login(w.other_owner)
    page = client.get(reverse("sellercenter:promise_performance", args=[w.other_store.slug]), {"days": "x"})
    assert 'id="promise-empty"' in page.content.decode()
