"""Bulk import refusals: every bad file and every bad cell, with the row and column the seller sees in Excel."""

import io
import zipfile

import openpyxl
import pytest

from kkot.catalog.bulk import import_products
from kkot.catalog.bulk import reader as bulk_reader
from kkot.catalog.models import Product, Tag, Variant
from kkot.catalog.tests.test_bulk import HEADER, owner_of, row, shirt_rows, to_csv, to_xlsx
from kkot.core.errors import ValidationError
from kkot.core.testing import make_product, make_store

pytestmark = pytest.mark.django_db


def refuse(data: bytes, store=None, filename: str = "") -> ValidationError:
    store = store or make_store()
    before = (Product.objects.count(), Variant.objects.count(), Tag.objects.count())
    with pytest.raises(ValidationError) as exc:
        import_products(store=store, actor=owner_of(store), data=data, filename=filename)
    assert (Product.objects.count(), Variant.objects.count(), Tag.objects.count()) == before
    return exc.value


def cells(err: ValidationError) -> list[tuple[int, str, str]]:
    assert err.code == "sheet_invalid"
    return [(d["row"], d["column"], d["message"]) for d in err.details]


BAD_CELLS = [
    ("판매가", "abc", "금액은 숫자로 입력해 주세요."),
    ("판매가", "12000.5", "원 단위 정수로 입력해 주세요(소수점 없음)."),
    ("판매가", "-100", "금액은 0 이상이어야 합니다."),
    ("할인가", "39000", "할인가는 판매가보다 낮아야 합니다."),
    ("재고", "-1", "재고는 0 이상의 정수로 입력해 주세요."),
    ("재고", "다섯", "정수로 입력해 주세요."),
    ("출고소요일", "1.5", "정수로 입력해 주세요."),
    ("출고소요일", "99", "출고 소요일은 0~60일 사이로 입력해 주세요."),
    ("할인시작", "내일", "날짜는 YYYY-MM-DD HH:MM 형식(한국 시간)으로 입력해 주세요. 예: 2025-03-01 09:00"),
    ("묶음배송", "아마도", "Y 또는 N으로 입력해 주세요."),
    ("판매상태", "세일", "판매상태는 판매중, 품절, 판매중지, 숨김 중 하나로 입력해 주세요."),
    ("카테고리", "없는카테고리",
     "카테고리를 찾을 수 없습니다: 없는카테고리 (소분류 코드 예: w-tshirt, 또는 경로 예: 패션의류>여성의류>티셔츠)"),
    ("카테고리", "패션의류>여성의류", "가장 아래 단계(소분류) 카테고리를 입력해 주세요: 패션의류>여성의류"),
    ("속성:소재", "우주소재", "소재 값이 올바르지 않습니다: 우주소재"),
    ("속성:핏", "슬림,와이드", "핏 값이 올바르지 않습니다: 슬림,와이드"),
    ("태그", ",".join(f"태그{i}" for i in range(11)), "태그는 최대 10개까지 입력할 수 있습니다."),
    ("상품명", "가" * 101, "상품명은 100자 이내로 입력해 주세요."),
    ("상품코드", "C" * 41, "상품코드는 40자 이내로 입력해 주세요."),
]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_each_bad_cell_is_reported_with_its_row_and_column(fmt):
    rows = [row(상품코드="OK", 재고="1")]
    rows += [row(**{"상품코드": f"P{i}", "재고": "1", column: value}) for i, (column, value, _m) in enumerate(BAD_CELLS)]
    err = refuse((to_csv if fmt == "csv" else to_xlsx)(rows))
    assert cells(err) == [(i + 3, column, message) for i, (column, _v, message) in enumerate(BAD_CELLS)]
    assert err.message.startswith(f"{len(BAD_CELLS)}곳에 오류가 있어 아무것도 등록하지 않았습니다. 첫 오류: 3행 [판매가]")


def test_every_bad_cell_of_the_sheet_is_reported_at_once():
    rows = [row(상품코드="A", 판매가="abc"), row(상품코드="B", 재고="-3", 묶음배송="?"),
            row(상품코드="", 상품명="코드 없음"), row(상품코드="C", 판매상태="x", 할인종료="2025-13-01 00:00")]
    assert cells(refuse(to_csv(rows))) == [
        (2, "판매가", "금액은 숫자로 입력해 주세요."),
        (3, "묶음배송", "Y 또는 N으로 입력해 주세요."),
        (3, "재고", "재고는 0 이상의 정수로 입력해 주세요."),
        (4, "상품코드", "상품코드를 입력해 주세요."),
        (5, "할인종료", "날짜는 YYYY-MM-DD HH:MM 형식(한국 시간)으로 입력해 주세요. 예: 2025-03-01 09:00"),
        (5, "판매상태", "판매상태는 판매중, 품절, 판매중지, 숨김 중 하나로 입력해 주세요."),
    ]


def test_a_good_product_is_not_written_when_another_row_is_bad():
    store = make_store()
    existing = make_product(store=store, code="A1")
    rows = shirt_rows(판매가="10") + [row(상품코드="NEW", 판매가="x")]
    refuse(to_csv(rows), store=store)
    existing.refresh_from_db()
    assert existing.price != 10 and not Product.objects.filter(store=store, code="NEW").exists()


def test_product_rules_from_the_editor_are_reported_on_the_products_first_row():
    rows = [row(상품코드="OK"), row(**{"상품코드": "N", "고시:전성분": "정제수", "할인시작": "2025-01-01 00:00"})]
    header = HEADER + ["고시:전성분"]
    assert cells(refuse(to_csv(rows, header=header))) == [
        (3, "할인가", "할인 기간을 정하려면 할인가를 입력해 주세요."),
        (3, "고시:전성분", "상품정보제공고시 항목이 아닙니다: 전성분"),
    ]


def test_inconsistent_product_columns_between_rows_of_one_product():
    rows = shirt_rows()
    rows[2]["상품명"] = "다른 이름"
    rows[3]["판매가"] = "40000"
    rows[3]["속성:계절"] = "겨울"
    assert cells(refuse(to_csv(rows))) == [
        (4, "상품명", "같은 상품코드(A1)의 2행과 값이 다릅니다. 한 상품의 행에는 상품 정보를 똑같이 입력해 주세요."),
        (5, "판매가", "같은 상품코드(A1)의 2행과 값이 다릅니다. 한 상품의 행에는 상품 정보를 똑같이 입력해 주세요."),
        (5, "속성:계절", "같은 상품코드(A1)의 2행과 값이 다릅니다. 한 상품의 행에는 상품 정보를 똑같이 입력해 주세요."),
    ]


def test_option_problems():
    rows = shirt_rows()
    rows[3]["옵션1값"], rows[3]["옵션2값"] = "블랙", "L"  # same combination as row 3
    rows[2]["SKU"] = rows[1]["SKU"]
    rows[1]["옵션3값"] = "여분"
    rows[0]["옵션2값"] = ""
    assert cells(refuse(to_csv(rows))) == [
        (2, "옵션2값", "옵션 '사이즈'의 값을 입력해 주세요."),
        (3, "옵션3값", "옵션3명이 비어 있는데 값이 있습니다."),
        (4, "SKU", "SKU가 3행과 같습니다. 상품 안에서 SKU는 달라야 합니다."),
        (5, "옵션2값", "같은 옵션 조합이 3행에 이미 있습니다."),
    ]


def test_duplicate_option_combination_and_option_gap():
    rows = shirt_rows()
    rows[3]["옵션1값"], rows[3]["옵션2값"] = "블랙", "M"
    assert cells(refuse(to_csv(rows))) == [(5, "옵션2값", "같은 옵션 조합이 2행에 이미 있습니다.")]
    gap = [row(옵션2명="사이즈", 옵션2값="M")]
    assert cells(refuse(to_csv(gap))) == [(2, "옵션2명", "옵션은 옵션1명부터 차례로 입력해 주세요.")]
    no_options_twice = [row(), row()]
    assert cells(refuse(to_csv(no_options_twice))) == [
        (3, "상품코드", "옵션이 없는 상품은 한 행만 입력합니다(2행과 같은 상품코드).")]


def test_price_delta_that_makes_the_price_zero():
    rows = shirt_rows()
    rows[2]["추가금액"] = "-39000"
    rows[3]["추가금액"] = "-29000"
    assert cells(refuse(to_csv(rows))) == [(4, "추가금액", "옵션 추가금액 때문에 가격이 0원 이하가 됩니다.")]


def test_unknown_duplicate_and_missing_headers():
    header = ["상품코드", "상품명", "카테고리", "가격", "상품명", "속성:우주", "고시:없는항목"]
    err = refuse(to_csv([{"상품코드": "A"}], header=header))
    assert cells(err) == [
        (1, "가격", "알 수 없는 열입니다. 양식의 머리글을 바꾸지 말아 주세요."),
        (1, "상품명", "같은 이름의 열이 두 번 있습니다."),
        (1, "속성:우주", "알 수 없는 열입니다. 양식의 머리글을 바꾸지 말아 주세요."),
        (1, "고시:없는항목", "알 수 없는 열입니다. 양식의 머리글을 바꾸지 말아 주세요."),
        (1, "판매가", "필수 열이 없습니다: 판매가"),
    ]


def test_value_under_a_blank_header_is_refused():
    header = ["상품코드", "상품명", "카테고리", "판매가", "", "재고"]
    data = to_csv([row(재고="1")], header=header).replace(b"39000,,1", b"39000,x,1")
    assert cells(refuse(data)) == [(2, "(머리글 없는 열)", "머리글이 없는 열에 값이 있습니다.")]


def test_formula_cells_are_read_as_text_never_evaluated():
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    ws.append([row(상품명="=HYPERLINK(\"http://evil\",\"x\")", 재고="1").get(h) for h in HEADER])
    ws.append([row(상품코드="B", 판매가="=1000*2", 재고="1").get(h) for h in HEADER])
    out = io.BytesIO()
    wb.save(out)
    assert cells(refuse(out.getvalue())) == [(3, "판매가", "금액은 숫자로 입력해 주세요.")]
    # the text-only formula is accepted as a name (stored as plain text, sanitised like any other)
    wb.active.delete_rows(3)
    out = io.BytesIO()
    wb.save(out)
    store = make_store()
    import_products(store=store, actor=owner_of(store), data=out.getvalue())
    assert Product.objects.get(store=store).name == "=HYPERLINK(\"http://evil\",\"x\")"


def test_excel_numbers_dates_and_booleans_are_understood():
    import datetime as dt

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(HEADER)
    values = row(판매가=39000, 할인가=29000.0, 할인시작=dt.datetime(2025, 3, 1, 9, 0), 묶음배송=False, 재고=3,
                 옵션1명="사이즈", 옵션1값=95)
    ws.append([values.get(h) for h in HEADER])
    out = io.BytesIO()
    wb.save(out)
    store = make_store()
    import_products(store=store, actor=owner_of(store), data=out.getvalue())
    p = Product.objects.get(store=store)
    assert (int(p.price), int(p.sale_price), p.bundle_shipping, p.stock_total) == (39000, 29000, False, 3)
    assert p.sale_starts_at.isoformat() == "2025-03-01T00:00:00+00:00"
    assert list(p.variants.values_list("label", flat=True)) == ["95"]


def test_korean_excel_csv_in_cp949_is_read():
    store = make_store()
    data = to_csv([row(상품명="한글 상품", 재고="2")]).decode("utf-8-sig").encode("cp949")
    import_products(store=store, actor=owner_of(store), data=data, filename="상품.csv")
    assert Product.objects.get(store=store).name == "한글 상품"


# -- bad files ---------------------------------------------------------------------------------------------

def test_oversized_file_is_refused(settings):
    settings.KKOT_MAX_SHEET_BYTES = 1000
    err = refuse(to_csv([row()] * 20))
    assert (err.code, err.message) == ("sheet_too_large", "파일이 너무 큽니다. 0MB 이하로 나누어 올려 주세요.")


def test_more_than_twenty_thousand_rows_is_refused():
    header = ["상품코드", "상품명", "카테고리", "판매가"]
    lines = "\n".join(f"P{i},이름,w-tshirt,1000" for i in range(20_001))
    err = refuse(("\ufeff" + ",".join(header) + "\n" + lines).encode())
    assert (err.code, err.message) == ("sheet_too_many_rows", "한 번에 20,000행까지 올릴 수 있습니다. 파일을 나누어 올려 주세요.")


@pytest.mark.parametrize("data,filename,message", [
    (b"", "a.csv", "빈 파일입니다."),
    (b"not a workbook at all" * 10, "a.xlsx",
     "엑셀(.xlsx) 또는 CSV 파일을 읽을 수 없습니다. 파일이 손상되었거나 지원하지 않는 형식입니다."),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600, "a.xls",
     "예전 엑셀 형식(.xls)은 읽을 수 없습니다. 엑셀에서 .xlsx 또는 CSV로 저장해 올려 주세요."),
    (b"\x89PNG\r\n\x1a\n" + b"\0" * 100, "photo.csv",
     "엑셀(.xlsx) 또는 CSV 파일을 읽을 수 없습니다. 파일이 손상되었거나 지원하지 않는 형식입니다."),
])
def test_not_a_sheet_is_refused(data, filename, message):
    err = refuse(data, filename=filename)
    assert err.message == message and err.code in ("sheet_empty", "sheet_unreadable")


def _zip(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, content in members.items():
            zf.writestr(name, content)
    return out.getvalue()


def test_zip_that_is_not_a_workbook_is_refused():
    err = refuse(_zip({"hello.txt": b"hi"}), filename="a.xlsx")
    assert (err.code, err.message) == ("sheet_unreadable", "엑셀 통합문서(.xlsx)가 아닙니다.")


def test_truncated_workbook_is_refused():
    data = to_xlsx(shirt_rows())
    err = refuse(data[: len(data) // 2], filename="a.xlsx")
    assert err.code == "sheet_unreadable"


def test_corrupted_part_inside_a_workbook_is_refused():
    good = zipfile.ZipFile(io.BytesIO(to_xlsx(shirt_rows())))
    members = {i.filename: good.read(i) for i in good.infolist()}
    members["xl/worksheets/sheet1.xml"] = b"<worksheet><sheetData><row r='1'><c"  # broken XML
    assert refuse(_zip(members)).code == "sheet_unreadable"


def test_zip_bomb_is_refused_before_parsing():
    good = zipfile.ZipFile(io.BytesIO(to_xlsx(shirt_rows())))
    members = {i.filename: good.read(i) for i in good.infolist()}
    members["xl/media/padding.bin"] = b"\0" * (8 * 1024 * 1024)  # compresses about 1000:1
    err = refuse(_zip(members))
    assert (err.code, err.message) == ("sheet_unreadable", "압축을 풀면 비정상적으로 커지는 파일입니다.")


def test_total_uncompressed_size_is_bounded(monkeypatch):
    monkeypatch.setattr(bulk_reader, "MAX_UNCOMPRESSED_BYTES", 20_000)
    err = refuse(to_xlsx(shirt_rows() * 10))
    assert err.message == "압축을 풀면 비정상적으로 커지는 파일입니다."


def test_xml_entity_declarations_are_refused():
    good = zipfile.ZipFile(io.BytesIO(to_xlsx(shirt_rows())))
    members = {i.filename: good.read(i) for i in good.infolist()}
    sheet = members["xl/worksheets/sheet1.xml"]
    sheet = sheet.split(b"?>", 1)[1] if sheet.startswith(b"<?xml") else sheet
    members["xl/worksheets/sheet1.xml"] = b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">]>' + sheet
    err = refuse(_zip(members))
    assert err.message == "엑셀 파일에 허용되지 않는 XML 선언이 있습니다."


def test_header_only_sheet_is_refused_as_empty():
    err = refuse(to_csv([]))
    assert (err.code, err.message) == ("sheet_empty", "등록할 상품 행이 없습니다.")
