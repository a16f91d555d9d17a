import io

import pytest

from kkot.core.errors import PermissionDenied, ValidationError
from kkot.core.testing import make_product, make_store, make_user
from kkot.orders.models import Order, OrderEvent
from kkot.orders.services.tracking_import import tracking_import, tracking_template
from kkot.orders.tests.factories import place, variant
from kkot.stores.services import staff_add

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    store = make_store(slug="ship-a")
    owner = store.memberships.get().user
    p = make_product(store=store)
    buyer = make_user()
    orders = [place(buyer, [(variant(p, "블랙 / M").pk, 1)]).orders.get() for _ in range(3)]
    other = make_store(slug="ship-b")
    other_order = place(buyer, [(variant(make_product(store=other), "블랙 / M").pk, 1)]).orders.get()
    return store, owner, orders, other_order


def _csv(rows, header=("주문번호", "택배사", "송장번호")) -> bytes:
    lines = [",".join(header)] + [",".join(r) for r in rows]
    return ("\n".join(lines) + "\n").encode()


def test_good_rows_applied_bad_rows_reported_with_row_and_column(shop):
    store, owner, (o1, o2, o3), other = shop
    data = _csv([
        (o1.number, "CJ대한통운", "1234-5678-9012"),  # good (Korean carrier name, dashes)
        ("K99999999999999-01", "cj", "123456789012"),  # unknown order
        (other.number, "cj", "123456789012"),  # another store's order: the same answer
        (o2.number, "대충택배", "123456789012"),  # bad carrier
        (o3.number, "lotte", "12345"),  # bad tracking format
        (o2.number, "hanjin", ""),  # o2 twice: both rows refused; empty tracking reported too
    ])
    r = tracking_import(store=store, actor=owner, data=data, filename="t.csv")
    assert r.applied == 1 and r.unchanged == 0
    assert r.errors == [
        {"row": 3, "column": "주문번호", "message": "주문을 찾을 수 없습니다: K99999999999999-01"},
        {"row": 4, "column": "주문번호", "message": f"주문을 찾을 수 없습니다: {other.number}"},
        {"row": 5, "column": "주문번호", "message": "같은 주문번호가 여러 행(5, 7행)에 있습니다. 한 행만 남겨 주세요."},
        {"row": 5, "column": "택배사", "message": "알 수 없는 택배사입니다: '대충택배'. 다음 중 하나를 입력해 주세요: "
                                              "CJ대한통운, 한진택배, 롯데택배, 우체국택배, 로젠택배, 신선특급"},
        {"row": 6, "column": "송장번호", "message": "롯데택배 송장번호 형식이 올바르지 않습니다."},
        {"row": 7, "column": "주문번호", "message": "같은 주문번호가 여러 행(5, 7행)에 있습니다. 한 행만 남겨 주세요."},
        {"row": 7, "column": "송장번호", "message": "송장번호를 입력해 주세요."},
    ]
    got = {o.pk: (o.status, o.carrier, o.tracking_number) for o in Order.objects.all()}
    assert got[o1.pk] == ("shipping", "cj", "123456789012")
    assert got[o2.pk] == got[o3.pk] == got[other.pk] == ("paid", "", "")
    ev = OrderEvent.objects.filter(order=o1, kind="status").order_by("pk")
    assert [(e.to_status, e.actor_role, e.actor_id) for e in ev][-2:] == [("preparing", "seller", owner.pk),
                                                                         ("shipping", "seller", owner.pk)]
    # Re-uploading the same sheet changes nothing and reports the shipped row as unchanged, not as an error.
    r2 = tracking_import(store=store, actor=owner, data=_csv([(o1.number, "cj", "123456789012")]), filename="t.csv")
    assert (r2.applied, r2.unchanged, r2.errors) == (0, 1, [])
    # A different tracking number for an order already shipped is an error, the stored one stays.
    r3 = tracking_import(store=store, actor=owner, data=_csv([(o1.number, "cj", "999999999999")]), filename="t.csv")
    assert r3.errors == [{"row": 2, "column": "주문번호", "message": "발송처리할 수 없는 상태의 주문입니다(배송중)."}]
    assert Order.objects.get(pk=o1.pk).tracking_number == "123456789012"


def test_xlsx_template_prefilled_then_uploaded(shop):
    import openpyxl

    store, owner, orders, other = shop
    data = tracking_template(store=store, fmt="xlsx")
    wb = openpyxl.load_workbook(io.BytesIO(data))
    ws = wb.active
    assert [c.value for c in ws[1]] == ["주문번호", "택배사", "송장번호", "받는 분", "상품(참고)"]
    numbers = [ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)]
    assert numbers == [o.number for o in orders]  # only this store's orders waiting for shipment
    for r in range(2, ws.max_row + 1):
        ws.cell(row=r, column=2, value="우체국택배")
        ws.cell(row=r, column=3, value=f"{6000000000000 + r}")
    out = io.BytesIO()
    wb.save(out)
    result = tracking_import(store=store, actor=owner, data=out.getvalue(), filename="발송.xlsx")
    assert (result.applied, result.errors) == (3, [])
    assert sorted(Order.objects.filter(store=store).values_list("tracking_number", flat=True)) == [
        "6000000000002", "6000000000003", "6000000000004"]
    csv_tpl = tracking_template(store=store, fmt="csv").decode("utf-8-sig")
    assert csv_tpl.splitlines()[0] == "주문번호,택배사,송장번호,받는 분,상품(참고)"


@pytest.mark.parametrize("data,filename,code", [
    (b"", "t.csv", "sheet_empty"),
    (b"   \n", "t.csv", "sheet_empty"),
    (b"PK\x03\x04 not really a zip", "t.xlsx", "sheet_unreadable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1old excel", "t.xls", "sheet_unreadable"),
    ("주문번호,송장번호\nK1,123\n".encode(), "t.csv", "sheet_header"),
    ("주문번호,택배사,송장번호\n".encode(), "t.csv", "sheet_empty"),
])
def test_unusable_files_are_refused_and_change_nothing(shop, data, filename, code):
    store, owner, orders, _other = shop
    with pytest.raises(ValidationError) as exc:
        tracking_import(store=store, actor=owner, data=data, filename=filename)
    assert exc.value.code == code
    assert set(Order.objects.values_list("status", flat=True)) == {"paid"}


def test_oversized_file_refused(shop, settings):
    store, owner, _orders, _other = shop
    settings.KKOT_MAX_SHEET_BYTES = 100
    with pytest.raises(ValidationError) as exc:
        tracking_import(store=store, actor=owner, data=_csv([("K1", "cj", "1" * 12)] * 10), filename="t.csv")
    assert (exc.value.code, exc.value.message) == ("sheet_too_large", "파일이 너무 큽니다. 0MB 이하로 나누어 올려 주세요.")


def test_viewer_cannot_upload(shop):
    store, owner, (o1, _o2, _o3), _other = shop
    viewer = make_user(email="v@example.com")
    staff_add(store=store, actor=owner, email=viewer.email, role="viewer")
    with pytest.raises(PermissionDenied):
        tracking_import(store=store, actor=viewer, data=_csv([(o1.number, "cj", "123456789012")]), filename="t.csv")
    assert Order.objects.get(pk=o1.pk).status == "paid"
