import io
from datetime import datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from kkot.catalog.models import Variant
from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.fulfillment import returns as rs
from kkot.fulfillment import services as fs
from kkot.fulfillment.models import InspectionPhoto, ReturnCase, ReturnCaseEvent, Shipment
from kkot.fulfillment.selectors import return_case_for_order, return_cases_page
from kkot.inventory.models import StockLevel, StockMovement
from kkot.inventory.services import warehouse_create
from kkot.orders.models import ClaimStatus, Notification, Order, OrderStatus, Refund
from kkot.orders.services.claims import ClaimItem, claim_request
from kkot.orders.services.lifecycle import validate_tracking
from kkot.orders.tests.factories import place, variant

pytestmark = pytest.mark.django_db
KST = timezone.get_current_timezone()
TUE = datetime(2024, 5, 21, 10, 0, tzinfo=KST)


def _delivered(qty=2):
    store = make_store(shipping_base_fee=3000, shipping_free_over=None)
    owner = store.memberships.get().user
    p = make_product(store=store)
    buyer = make_user()
    order = place(buyer, [(variant(p, "블랙 / M").pk, qty)]).orders.get()
    s = fs.shipment_create(order=order, actor=owner, carrier="cj", tracking_number="123456789012", at=TUE)
    fs.tracking_event_record(shipment=s, code="delivered", occurred_at=TUE + timedelta(days=1))
    return store, owner, buyer, p, Order.objects.get(pk=order.pk)


def _claim(order, buyer, kind="return", qty=1, to=None, reason="change_of_mind"):
    return claim_request(
        order_id=order.pk,
        user=buyer,
        kind=kind,
        reason=reason,
        items=[ClaimItem(line_id=order.lines.get().pk, quantity=qty, exchange_variant_id=to)],
    )


def _arrive(case):
    fs.tracking_event_record(shipment=case.pickup, code="picked_up", occurred_at=TUE + timedelta(days=3))
    fs.tracking_event_record(shipment=case.pickup, code="delivered", occurred_at=TUE + timedelta(days=4))
    return ReturnCase.objects.get(pk=case.pk)


def _png() -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 30, 30)).save(buf, format="PNG")
    return SimpleUploadedFile("damage.png", buf.getvalue(), content_type="image/png")


def _moves(v):
    return list(
        StockMovement.objects.filter(variant=v).order_by("pk").values_list("kind", "qty", "on_hand_delta")
    )


def test_return_pickup_inspection_restock_then_refund(django_capture_on_commit_callbacks):
    store, owner, buyer, p, order = _delivered()
    v = variant(p, "블랙 / M")
    fc = warehouse_create(store=store, actor=owner, name="풀필먼트", code="fc", kind="fc")
    claim = _claim(order, buyer)
    with django_capture_on_commit_callbacks(execute=True):
        case = rs.claim_accept(store=store, actor=owner, claim_id=claim.pk)
    claim.refresh_from_db()
    pickup = case.pickup
    assert claim.status == ClaimStatus.APPROVED and case.status == "pickup_requested"
    assert (pickup.kind, pickup.carrier, pickup.origin_postcode, pickup.claim_id) == (
        "pickup",
        "cj",
        "04001",
        claim.pk,
    )
    assert validate_tracking("cj", pickup.tracking_number) == pickup.tracking_number
    assert not Refund.objects.exists()  # the store inspects first
    assert _moves(v)[-1][0] == "ship"  # nothing restocked yet
    assert Notification.objects.filter(user=buyer, kind="return_pickup_requested").count() == 1
    # refund / restock before the parcel is back and inspected: refused, nothing changes
    with pytest.raises(Conflict) as e:
        rs.return_restock(store=store, actor=owner, case_id=case.pk)
    assert e.value.code == "illegal_transition" and "회수요청" in e.value.message
    # the carrier's simulated pickup timeline moves the case; polling twice changes nothing more
    with django_capture_on_commit_callbacks(execute=True):
        n = fs.tracking_poll(shipment=pickup, now=timezone.now() + timedelta(days=30))
    assert fs.tracking_poll(shipment=pickup, now=timezone.now() + timedelta(days=30)) == 0
    case.refresh_from_db()
    pickup.refresh_from_db()
    if pickup.status == "failed":  # the simulator loses ~2% of parcels; this number is deterministic
        pytest.skip("simulated pickup failed")
    assert n == 5 and case.status == "arrived"
    assert (
        Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED
    )  # pickups never touch the order state
    assert Notification.objects.filter(store=store, kind="return_arrived").count() == 1
    assert Notification.objects.filter(user=buyer, kind="tracking_picked_up").count() == 1
    with pytest.raises(ValidationError) as e:
        rs.return_inspect(store=store, actor=owner, case_id=case.pk, passed=False, note=" ")
    assert e.value.code == "reason_required"
    rs.return_inspect(
        store=store, actor=owner, case_id=case.pk, passed=True, note="이상 없음", photos=[_png()]
    )
    assert InspectionPhoto.objects.filter(case=case).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        case = rs.return_restock(store=store, actor=owner, case_id=case.pk, warehouse_id=fc.pk)
    claim.refresh_from_db()
    assert case.status == "completed" and case.refunded_at is not None
    assert claim.status == ClaimStatus.COMPLETED and claim.refund_amount == 29000 - 3000
    assert list(Refund.objects.values_list("amount", flat=True)) == [26000]
    mv = StockMovement.objects.filter(variant=v).latest("pk")
    assert (mv.kind, mv.qty, mv.warehouse_id, mv.reason) == ("return_restock", 1, fc.pk, "반품 재입고")
    assert Variant.objects.get(pk=v.pk).stock == 4
    assert list(
        ReturnCaseEvent.objects.filter(case=case)
        .order_by("pk")
        .values_list("from_status", "to_status", "actor_role")
    ) == [
        ("", "pickup_requested", "seller"),
        ("pickup_requested", "in_transit", "system"),
        ("in_transit", "arrived", "system"),
        ("arrived", "passed", "seller"),
        ("passed", "restocked", "seller"),
        ("restocked", "completed", "seller"),
    ]
    kinds = list(order.events.values_list("kind", flat=True))
    assert "return_arrived" in kinds and "claim_return_refunded" in kinds
    assert Notification.objects.filter(user=buyer, kind="return_completed").count() == 1
    assert return_case_for_order(order_id=order.pk)[0].pk == case.pk
    assert return_cases_page(store=store, status="completed").page.paginator.count == 1


def test_refund_first_store_refunds_at_pickup_and_dispose_keeps_stock():
    store, owner, buyer, p, order = _delivered(qty=1)
    v = variant(p, "블랙 / M")
    rs.return_policy_update(store=store, actor=owner, inspect_before_refund=False, pickup_carrier="hanjin")
    case = rs.claim_accept(store=store, actor=owner, claim_id=_claim(order, buyer, reason="defective").pk)
    assert case.pickup.carrier == "hanjin" and case.refunded_at is not None
    assert list(Refund.objects.values_list("amount", flat=True)) == [29000]  # the seller's fault: full refund
    assert Order.objects.get(pk=order.pk).status == OrderStatus.RETURNED
    case = _arrive(case)
    rs.return_inspect(store=store, actor=owner, case_id=case.pk, passed=False, note="파손")
    stock = Variant.objects.get(pk=v.pk).stock
    levels = list(StockLevel.objects.filter(variant=v).values_list("on_hand", "reserved"))
    with pytest.raises(ValidationError):
        rs.return_dispose(store=store, actor=owner, case_id=case.pk, reason="")
    case = rs.return_dispose(store=store, actor=owner, case_id=case.pk, reason="파손으로 폐기")
    assert case.status == "completed"
    assert _moves(v)[-1] == ("dispose", 1, 0)
    assert StockMovement.objects.filter(variant=v).latest("pk").reason == "파손으로 폐기"
    assert Variant.objects.get(pk=v.pk).stock == stock
    assert list(StockLevel.objects.filter(variant=v).values_list("on_hand", "reserved")) == levels
    assert Refund.objects.count() == 1  # not refunded twice


def test_failed_inspection_can_reject_without_refund():
    store, owner, buyer, p, order = _delivered()
    case = _arrive(rs.claim_accept(store=store, actor=owner, claim_id=_claim(order, buyer).pk))
    with pytest.raises(Conflict):  # passed cases cannot be rejected; failed ones can
        rs.return_reject(store=store, actor=owner, case_id=case.pk, reason="사용 흔적")
    rs.return_inspect(store=store, actor=owner, case_id=case.pk, passed=False, note="사용 흔적")
    with pytest.raises(ValidationError):
        rs.return_reject(store=store, actor=owner, case_id=case.pk, reason="")
    case = rs.return_reject(
        store=store, actor=owner, case_id=case.pk, reason="사용 흔적이 있어 반품이 어렵습니다"
    )
    assert case.status == "rejected" and case.claim.status == ClaimStatus.REJECTED
    assert not Refund.objects.exists()
    with pytest.raises(Conflict):
        rs.return_restock(store=store, actor=owner, case_id=case.pk)


def test_exchange_replacement_ships_through_the_ledger_and_completes_on_delivery():
    store, owner, buyer, p, order = _delivered()
    old, new = variant(p, "블랙 / M"), variant(p, "화이트 / L")
    claim = _claim(order, buyer, kind="exchange", to=new.pk, reason="wrong_item")
    case = _arrive(rs.claim_accept(store=store, actor=owner, claim_id=claim.pk))
    rs.return_inspect(store=store, actor=owner, case_id=case.pk, passed=True)
    with pytest.raises(Conflict):  # the returned units first go somewhere
        rs.exchange_replacement_ship(
            store=store, actor=owner, case_id=case.pk, carrier="cj", tracking_number="223456789012"
        )
    case = rs.return_restock(store=store, actor=owner, case_id=case.pk)
    assert case.status == "restocked"  # an exchange waits for its replacement
    with pytest.raises(ValidationError):
        rs.exchange_replacement_ship(
            store=store, actor=owner, case_id=case.pk, carrier="cj", tracking_number="12"
        )
    case = rs.exchange_replacement_ship(
        store=store, actor=owner, case_id=case.pk, carrier="cj", tracking_number="2234-5678-9012"
    )
    assert case.status == "replacement_shipped" and case.replacement.kind == "replacement"
    assert [m[:2] for m in _moves(new)[-2:]] == [("reserve", -1), ("ship", -1)]
    assert _moves(old)[-1][:2] == ("return_restock", 1)
    assert Variant.objects.get(pk=new.pk).stock == 1
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.COMPLETED and not Refund.objects.exists()
    fs.tracking_event_record(shipment=case.replacement, code="delivered", occurred_at=TUE + timedelta(days=7))
    case.refresh_from_db()
    assert case.status == "completed"
    assert Order.objects.get(pk=order.pk).status == OrderStatus.DELIVERED


def test_exchange_out_of_stock_is_refused_then_converted_to_a_refund():
    store, owner, buyer, p, order = _delivered()
    new = variant(p, "블랙 / L")  # stock 0
    Variant.objects.filter(pk=new.pk).update(stock=1)
    claim = _claim(order, buyer, kind="exchange", to=new.pk)
    Variant.objects.filter(pk=new.pk).update(stock=0)
    case = _arrive(rs.claim_accept(store=store, actor=owner, claim_id=claim.pk))
    rs.return_inspect(store=store, actor=owner, case_id=case.pk, passed=True)
    case = rs.return_restock(store=store, actor=owner, case_id=case.pk)
    n = StockMovement.objects.count()
    with pytest.raises(Conflict) as e:
        rs.exchange_replacement_ship(
            store=store, actor=owner, case_id=case.pk, carrier="cj", tracking_number="323456789012"
        )
    assert e.value.code == "out_of_stock" and "반품(환불)으로 전환" in e.value.message
    assert StockMovement.objects.count() == n and not Shipment.objects.filter(kind="replacement").exists()
    case = rs.exchange_convert_to_return(store=store, actor=owner, case_id=case.pk)
    claim.refresh_from_db()
    assert (claim.kind, claim.status, case.status) == ("return", ClaimStatus.COMPLETED, "completed")
    assert list(Refund.objects.values_list("amount", flat=True)) == [29000 - 3000]


def test_failed_pickup_is_requested_again_with_a_new_number_and_other_stores_see_nothing():
    store, owner, buyer, p, order = _delivered()
    case = rs.claim_accept(store=store, actor=owner, claim_id=_claim(order, buyer).pk)
    first = case.pickup.tracking_number
    fs.tracking_event_record(shipment=case.pickup, code="failed", occurred_at=TUE + timedelta(days=3))
    case.refresh_from_db()
    assert case.status == "pickup_failed"
    other = make_store(slug="other")
    with pytest.raises(NotFound):
        rs.return_pickup_retry(store=other, actor=other.memberships.get().user, case_id=case.pk)
    with pytest.raises(NotFound):
        rs.return_inspect(store=other, actor=other.memberships.get().user, case_id=case.pk, passed=True)
    case = rs.return_pickup_retry(store=store, actor=owner, case_id=case.pk)
    assert case.status == "pickup_requested" and case.pickup.tracking_number != first
    assert Shipment.objects.filter(claim=case.claim, kind="pickup").count() == 2
    with pytest.raises(Conflict):
        rs.return_pickup_retry(store=store, actor=owner, case_id=case.pk)


def test_bad_photo_changes_nothing():
    store, owner, buyer, p, order = _delivered()
    case = _arrive(rs.claim_accept(store=store, actor=owner, claim_id=_claim(order, buyer).pk))
    bad = SimpleUploadedFile("x.png", b"not an image", content_type="image/png")
    with pytest.raises(ValidationError):
        rs.return_inspect(store=store, actor=owner, case_id=case.pk, passed=False, note="얼룩", photos=[bad])
    case.refresh_from_db()
    assert (
        case.status == "arrived" and case.inspection_passed is None and not InspectionPhoto.objects.exists()
    )
