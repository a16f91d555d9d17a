"""Seller-center order pages through the views: list, counts, bulk accept, ship, detail, claims, cancel,
tracking upload, exports, settlement, coupons, notifications, webhook settings."""

import csv
import io

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile

from kkot.core.testing import make_product, make_user
from kkot.orders.models import Claim, Coupon, Notification, Order
from kkot.orders.services.lifecycle import order_confirm
from kkot.orders.tests.factories import place

pytestmark = pytest.mark.django_db


def _msgs(r):
    return [str(m) for m in get_messages(r.wsgi_request)]


@pytest.fixture
def shop(world_orders):
    w = world_orders
    p = make_product(store=w.store, actor=w.owner, name="새 주문 셔츠")
    buyer = make_user(email="b2@example.com", name="박구매")
    w.paid = [place(buyer, [(p.variants.get(label="블랙 / M").pk, 1)]).orders.get() for _ in range(2)]
    return w


def test_list_counts_tabs_and_fixed_query_count(client, shop, django_assert_max_num_queries):
    client.force_login(shop.owner)
    url = f"/seller/{shop.store.slug}/orders/"
    with django_assert_max_num_queries(9):  # session, user, membership, counts, page, lines, claims, unread, messages
        r = client.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'data-tab="paid"' in body and "신규주문 <b>2</b>" in body and "반품요청 <b>1</b>" in body
    assert "전체 <b>3</b>" in body and "배송완료 <b>1</b>" in body
    more = make_product(store=shop.store, actor=shop.owner, name="더 많은 주문")
    for label in ["블랙 / M"] * 5 + ["화이트 / M"] * 3 + ["화이트 / L"] * 2:
        place(make_user(), [(more.variants.get(label=label).pk, 1)])
    with django_assert_max_num_queries(9):  # the same with 13 orders: no query per row
        r = client.get(url)
    assert "전체 <b>13</b>" in r.content.decode()
    r = client.get(url, {"status": "claim_return"})
    assert r.context["page"].object_list[0].pk == shop.order.pk and r.context["page"].paginator.count == 1
    r = client.get(url, {"q": "박구매"})
    assert r.context["page"].paginator.count == 2
    r = client.get(url, {"from": "2001-01-01", "to": "2001-01-31"})
    assert r.context["page"].paginator.count == 0 and "조건에 맞는 주문이 없습니다." in r.content.decode()


def test_bulk_accept_then_ship_from_the_list(client, shop):
    client.force_login(shop.manager)
    url = f"/seller/{shop.store.slug}/orders/"
    ids = [o.pk for o in shop.paid]
    r = client.post(url, {"ids": ids, "next": url + "?status=paid"})
    assert r["Location"] == url + "?status=paid"
    assert _msgs(r)[-1] == "주문 2건을 발주확인했습니다. 발송 준비를 시작해 주세요."
    assert set(Order.objects.filter(pk__in=ids).values_list("status", flat=True)) == {"preparing"}
    r = client.post(url, {"ids": [shop.order.pk]})  # delivered: refused, nothing changes
    assert _msgs(r)[-1] == "'배송완료' 상태의 주문은 '상품준비중'(으)로 바꿀 수 없습니다."
    r = client.post(url, {})
    assert _msgs(r)[-1] == "발주확인할 주문을 선택해 주세요."
    ship = f"/seller/{shop.store.slug}/orders/{ids[0]}/ship/"
    r = client.post(ship, {"carrier": "ups", "tracking_number": "1"})
    assert _msgs(r)[-1] == "택배사: 알 수 없는 택배사입니다."
    r = client.post(ship, {"carrier": "epost", "tracking_number": "12"})
    assert _msgs(r)[-1] == "우체국택배 송장번호 형식이 올바르지 않습니다."
    assert Order.objects.get(pk=ids[0]).status == "preparing"
    r = client.post(ship, {"carrier": "epost", "tracking_number": "1234567890123", "next": url})
    assert r["Location"] == url
    o = Order.objects.get(pk=ids[0])
    assert (o.status, o.carrier, o.tracking_number) == ("shipping", "epost", "1234567890123")


def test_detail_shows_address_timeline_and_claims_approve_twice_reject_needs_reason(client, shop):
    client.force_login(shop.owner)
    url = f"/seller/{shop.store.slug}/orders/{shop.order.pk}/"
    body = client.get(url).content.decode()
    for text in ("김구매", "010-1234-5678", "04001", "서울 마포구 월드컵로 1", "반품", "찢어짐", "배송중 → <b>배송완료</b>",
                 "CJ대한통운 123456789012", "주문 접수"):
        assert text in body, text
    assert "4242" not in body.replace("****4242", "")  # never a card number beyond the masked label
    reject = f"/seller/{shop.store.slug}/claims/{shop.claim.pk}/reject/"
    r = client.post(reject, {"reason": " "})
    assert _msgs(r)[-1] == "거부 사유를 입력해 주세요."
    approve = f"/seller/{shop.store.slug}/claims/{shop.claim.pk}/approve/"
    r = client.post(approve)  # a return: approved, and a pickup (회수) is requested; the refund follows inspection
    case = shop.claim.return_case
    assert r["Location"] == f"/seller/{shop.store.slug}/returns/{case.pk}/"
    assert _msgs(r)[-1].startswith(f"요청을 승인하고 택배사에 회수를 요청했습니다(송장 {case.pickup.tracking_number}).")
    r = client.post(approve)
    assert _msgs(r)[-1] == "이미 처리된 요청입니다."
    r = client.post(reject, {"reason": "늦음"})
    assert _msgs(r)[-1] == "이미 처리된 요청입니다."
    claim = Claim.objects.get(pk=shop.claim.pk)
    assert (claim.status, int(claim.refund_amount)) == ("approved", 0)
    assert f'data-case="{case.pk}"' in client.get(url).content.decode()


def test_seller_cancel_from_the_detail_page(client, shop):
    client.force_login(shop.owner)
    o = shop.paid[0]
    r = client.post(f"/seller/{shop.store.slug}/orders/{o.pk}/cancel/", {"reason": ""})
    assert _msgs(r)[-1] == "취소 사유를 입력해 주세요. 구매자에게 전달됩니다."
    r = client.post(f"/seller/{shop.store.slug}/orders/{o.pk}/cancel/", {"reason": "품절"})
    assert _msgs(r)[-1] == "주문을 취소하고 결제 금액을 환불했습니다. 구매자에게 알림을 보냈습니다."
    assert Order.objects.get(pk=o.pk).status == "cancelled"


def test_tracking_upload_page_reports_rows(client, shop):
    client.force_login(shop.owner)
    url = f"/seller/{shop.store.slug}/orders/tracking-upload/"
    a, b = shop.paid
    data = f"주문번호,택배사,송장번호\n{a.number},한진택배,123456789012\nK000,cj,123456789012\n".encode()
    r = client.post(url, {"file": SimpleUploadedFile("t.csv", data, "text/csv")})
    assert r.status_code == 200
    body = r.content.decode()
    assert "발송처리 1건, 변경 없음 0건, 오류 1건" in body
    assert "<td>3</td><td>주문번호</td><td>주문을 찾을 수 없습니다: K000</td>" in body
    assert Order.objects.get(pk=a.pk).status == "shipping" and Order.objects.get(pk=b.pk).status == "paid"
    r = client.post(url, {"file": SimpleUploadedFile("t.csv", b"PK\x03\x04broken", "text/csv")})
    assert "엑셀(.xlsx) 또는 CSV 파일을 읽을 수 없습니다" in r.content.decode()
    r = client.get(f"/seller/{shop.store.slug}/orders/tracking-upload/template.csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == ["주문번호", "택배사", "송장번호", "받는 분", "상품(참고)"] and [x[0] for x in rows[1:]] == [b.number]


def test_order_export_csv_is_the_current_list(client, shop):
    client.force_login(shop.viewer)  # read-only staff may export
    r = client.get(f"/seller/{shop.store.slug}/orders/export.csv", {"status": "paid"})
    assert r["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:4] == ["주문번호", "주문일시", "상태", "구매자"]
    assert sorted(x[0] for x in rows[1:]) == sorted(o.number for o in shop.paid)
    assert {x[2] for x in rows[1:]} == {"결제완료"}
    r = client.get(f"/seller/{shop.store.slug}/orders/export.xlsx")
    assert r.content[:4] == b"PK\x03\x04"
    assert client.get(f"/seller/{shop.store.slug}/orders/export.pdf").status_code == 404


def test_settlement_page_and_export(client, shop):
    from kkot.orders.services.claims import claim_reject

    claim_reject(store=shop.store, actor=shop.owner, claim_id=shop.claim.pk, reason="사용 흔적")
    order_confirm(order=shop.order, actor=None, role="system")
    client.force_login(shop.owner)
    r = client.get(f"/seller/{shop.store.slug}/settlements/")
    s = r.context["summary"]
    assert (s.count, int(s.totals["sale_amount"]), s.reconciles) == (1, 58000, True)
    body = r.content.decode()
    assert shop.order.number in body and "일치" in body
    r = client.get(f"/seller/{shop.store.slug}/settlements/export.csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[1][3] == shop.order.number and rows[-1][0] == "합계" and rows[-1][7] == "58000"


def test_coupon_page_create_errors_and_deactivate(client, shop):
    client.force_login(shop.manager)
    url = f"/seller/{shop.store.slug}/coupons/"
    r = client.post(url, {"code": "welcome", "name": "", "kind": "fixed", "amount": "", "min_order": "0",
                          "starts_at": "2030-01-01T00:00", "ends_at": "2030-02-01T00:00", "audience": "all"})
    assert r.status_code == 200
    body = r.content.decode()
    assert "이미 있는 쿠폰 코드입니다: WELCOME" in body and "금액을 입력해 주세요." in body
    r = client.post(url, {"code": "first5", "name": "첫 구매 5천원", "kind": "fixed", "amount": "5000",
                          "min_order": "30000", "starts_at": "2030-01-01T00:00", "ends_at": "2030-02-01T00:00",
                          "audience": "first", "usage_limit": "500"})
    assert r.status_code == 302 and _msgs(r)[-1] == "쿠폰 '첫 구매 5천원'(FIRST5)을(를) 만들었습니다."
    c = Coupon.objects.get(code="FIRST5")
    assert (c.store_id, int(c.amount), int(c.min_order), c.audience, c.usage_limit) == (shop.store.pk, 5000, 30000,
                                                                                        "first", 500)
    r = client.post(f"/seller/{shop.store.slug}/coupons/{c.pk}/deactivate/")
    assert Coupon.objects.get(pk=c.pk).is_active is False
    assert "중지됨" in client.get(url).content.decode()


def test_notifications_badge_and_mark_read(client, shop):
    n = Notification.objects.filter(store=shop.store).count()
    assert n >= 1  # claim requested
    client.force_login(shop.owner)
    body = client.get(f"/seller/{shop.store.slug}/").content.decode()
    assert f'<span class="badge count" aria-label="읽지 않은 알림 {n}개">{n}</span>' in body
    r = client.post(f"/seller/{shop.store.slug}/notifications/")
    assert _msgs(r)[-1] == f"알림 {n}개를 읽음으로 표시했습니다."
    assert 'class="badge count"' not in client.get(f"/seller/{shop.store.slug}/notifications/").content.decode()


def test_webhook_url_saved_and_secret_shown_once_owner_only(client, shop):
    from kkot.sellercenter.forms import StoreSettingsForm

    client.force_login(shop.owner)
    data = {k: ("" if v is None else v) for k, v in StoreSettingsForm.initial_for(shop.store).items()}
    data["webhook_url"] = "https://hooks.example.com/kkot"
    data["same_day_cutoff"] = ""
    r = client.post(f"/seller/{shop.store.slug}/settings/", data)
    assert r.status_code == 302, r.context and r.context["form"].errors
    shop.store.refresh_from_db()
    assert shop.store.webhook_url == "https://hooks.example.com/kkot"
    body = client.get(f"/seller/{shop.store.slug}/settings/").content.decode()
    assert "X-Kkot-Signature" in body and "서명 키 재발급" in body
    r = client.post(f"/seller/{shop.store.slug}/settings/webhook-secret/")
    shop.store.refresh_from_db()
    assert r.status_code == 200 and r["Cache-Control"] == "no-store"
    assert shop.store.webhook_secret in r.content.decode() and len(shop.store.webhook_secret) == 64
    assert shop.store.webhook_secret not in client.get(f"/seller/{shop.store.slug}/settings/").content.decode()
    client.force_login(shop.manager)
    before = shop.store.webhook_secret
    r = client.post(f"/seller/{shop.store.slug}/settings/webhook-secret/")
    assert r.status_code == 302 and _msgs(r)[-1] == "이 작업을 할 권한이 없습니다. 스토어 대표에게 권한을 요청해 주세요."
    shop.store.refresh_from_db()
    assert shop.store.webhook_secret == before
    assert "서명 키 재발급" not in client.get(f"/seller/{shop.store.slug}/settings/").content.decode()
