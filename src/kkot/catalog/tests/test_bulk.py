"""Bulk import/export: happy paths, round trips, store isolation and the editor-equivalence of the bulk path."""

import csv
import io
from decimal import Decimal

import openpyxl
import pytest

from kkot.catalog.bulk import export_products, import_products, template_csv, template_workbook
from kkot.catalog.bulk.columns import header_row
from kkot.catalog.models import Category, Product, ProductAttributeValue, Tag, Variant
from kkot.catalog.services import OptionInput, VariantInput, product_create
from kkot.core.errors import PermissionDenied, ValidationError
from kkot.core.testing import make_product, make_store, make_user, product_input
from kkot.stores.services import staff_add

pytestmark = pytest.mark.django_db

HEADER = header_row(["소재", "계절", "핏"], ["제품 소재", "제조국"])


def owner_of(store):
    return store.memberships.get(role="owner").user


def row(**cells) -> dict:
    base = {"상품코드": "A1", "상품명": "린넨 셔츠", "카테고리": "w-tshirt", "판매가": "39000"}
    base.update(cells)
    return base


def to_csv(rows: list[dict], header: list[str] = HEADER) -> bytes:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(header)
    for r in rows:
        w.writerow([r.get(h, "") for h in header])
    return ("\ufeff" + buf.getvalue()).encode("utf-8")


def to_xlsx(rows: list[dict], header: list[str] = HEADER) -> bytes:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "상품"
    ws.append(header)
    for r in rows:
        ws.append([r.get(h) for h in header])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def shirt_rows(code="A1", **extra) -> list[dict]:
    common = dict(상품코드=code, 상품명="린넨 오버핏 셔츠", 카테고리="패션의류>여성의류>티셔츠", 판매가="39000", 할인가="29000",
                  할인시작="2025-03-01 09:00", 할인종료="2025-03-31 23:59", 판매상태="판매중", 브랜드="꽃상점",
                  태그="린넨, 여름셔츠", 배송비="3000", 묶음배송="N", 출고소요일="3", 주문제작="N", 냉장냉동="N",
                  옵션1명="색상", 옵션2명="사이즈",
                  **{"상세설명(HTML)": "<p>시원한 셔츠</p>", "속성:소재": "린넨", "속성:계절": "여름,봄", "속성:핏": "오버사이즈",
                     "고시:제품 소재": "린넨 100%"})
    common.update(extra)
    out = []
    for color, size, stock, delta in (("블랙", "M", 5, 0), ("블랙", "L", 0, 0), ("화이트", "M", 3, 1000), ("화이트", "L", 2, 1000)):
        out.append(row(**common, 옵션1값=color, 옵션2값=size, SKU=f"{code}-{color}-{size}", 추가금액=str(delta), 재고=str(stock)))
    return out


def dump(p: Product) -> dict:
    p.refresh_from_db()
    fields = {f: getattr(p, f) for f in (
        "code", "name", "category_id", "price", "sale_price", "sale_starts_at", "sale_ends_at", "status", "brand",
        "description_html", "attributes", "notice", "shipping_fee", "bundle_shipping", "dispatch_days",
        "made_to_order", "cold_chain", "stock_total")}
    fields["options"] = list(p.options.values_list("name", "values", "position"))
    fields["variants"] = list(p.variants.values_list("label", "sku", "option_values", "price_delta", "stock",
                                                      "is_active", "position"))
    fields["tags"] = sorted(p.tags.values_list("name", flat=True))
    fields["attribute_values"] = sorted(p.attribute_values.values_list("code", "value"))
    return fields


# -- creating and updating ---------------------------------------------------------------------------------

@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_import_creates_products_exactly_like_the_editor(fmt):
    store = make_store()
    owner = owner_of(store)
    data = (to_csv if fmt == "csv" else to_xlsx)(shirt_rows())
    result = import_products(store=store, actor=owner, data=data, filename=f"상품.{fmt}")
    assert (result.created, result.updated, result.unchanged, result.variants_created, result.rows) == (1, 0, 0, 4, 4)
    assert result.format == fmt
    imported = dump(Product.objects.get(store=store, code="A1"))

    other = make_store()
    from datetime import datetime

    from kkot.core.timeutil import SEOUL

    editor = product_create(store=other, actor=owner_of(other), data=product_input(
        code="A1", name="린넨 오버핏 셔츠", price=39000, sale_price=29000, brand="꽃상점",
        sale_starts_at=datetime(2025, 3, 1, 9, 0, tzinfo=SEOUL), sale_ends_at=datetime(2025, 3, 31, 23, 59, tzinfo=SEOUL),
        description_html="<p>시원한 셔츠</p>", tags=["린넨", "여름셔츠"], shipping_fee=3000, bundle_shipping=False,
        dispatch_days=3, attributes={"material": ["린넨"], "season": ["여름", "봄"], "fit": "오버사이즈"},
        notice={"제품 소재": "린넨 100%"},
        variants=[VariantInput(option_values={"색상": c, "사이즈": s}, stock=st, sku=f"A1-{c}-{s}", price_delta=d)
                  for c, s, st, d in (("블랙", "M", 5, 0), ("블랙", "L", 0, 0), ("화이트", "M", 3, 1000),
                                      ("화이트", "L", 2, 1000))]))
    assert imported == dump(editor)
    assert imported["variants"][2] == ("화이트 / M", "A1-화이트-M", {"색상": "화이트", "사이즈": "M"}, Decimal(1000), 3, True, 2)
    assert imported["attribute_values"] == [("fit", "오버사이즈"), ("material", "린넨"), ("season", "봄"), ("season", "여름")]


def test_product_without_options_is_one_row_and_blank_product_cells_inherit_from_the_first_row():
    store = make_store()
    rows = [row(상품코드="P1", 재고="7", 태그="노옵션"),
            row(상품코드="P2", 옵션1명="사이즈", 옵션1값="S", 재고="1", 태그="a,b"),
            row(상품코드="P2", 상품명="", 판매가="", 옵션1명="", 옵션1값="M", 재고="2")]
    result = import_products(store=store, actor=owner_of(store), data=to_csv(rows))
    assert (result.created, result.variants_created) == (2, 3)
    p1 = Product.objects.get(store=store, code="P1")
    assert list(p1.variants.values_list("label", "sku", "stock")) == [("", "P1-001", 7)]
    p2 = Product.objects.get(store=store, code="P2")
    assert (p2.name, p2.price, p2.stock_total) == ("린넨 셔츠", Decimal(39000), 3)
    assert list(p2.options.values_list("name", "values")) == [("사이즈", ["S", "M"])]


def test_existing_code_is_updated_keeping_variant_ids_and_missing_combinations_get_zero_stock():
    store = make_store()
    owner = owner_of(store)
    import_products(store=store, actor=owner, data=to_csv(shirt_rows()))
    p = Product.objects.get(store=store, code="A1")
    ids = dict(p.variants.values_list("label", "pk"))
    rows = shirt_rows(판매가="41000")[:3]  # 화이트 / L row left out
    rows[0]["재고"] = "9"
    result = import_products(store=store, actor=owner, data=to_csv(rows))
    assert (result.created, result.updated, result.variants_updated) == (0, 1, 2)
    p.refresh_from_db()
    assert p.price == Decimal(41000)
    new = dict(p.variants.values_list("label", "pk"))
    assert new == ids  # same combinations, same ids
    assert list(p.variants.values_list("label", "stock", "sku")) == [
        ("블랙 / M", 9, "A1-블랙-M"), ("블랙 / L", 0, "A1-블랙-L"), ("화이트 / M", 3, "A1-화이트-M"), ("화이트 / L", 0, "A1-004")]
    assert Product.objects.filter(store=store).count() == 1


def test_update_with_only_some_columns_keeps_the_rest():
    store = make_store()
    owner = owner_of(store)
    import_products(store=store, actor=owner, data=to_csv(shirt_rows()))
    before = dump(Product.objects.get(code="A1", store=store))
    header = ["상품코드", "상품명", "카테고리", "판매가"]
    result = import_products(store=store, actor=owner, data=to_csv([row(상품명="새 이름")], header=header))
    assert result.updated == 1
    after = dump(Product.objects.get(code="A1", store=store))
    assert after["name"] == "새 이름"
    after["name"] = before["name"]
    assert after == before


def test_swapping_skus_between_variants_works():
    store = make_store()
    owner = owner_of(store)
    import_products(store=store, actor=owner, data=to_csv(shirt_rows()))
    rows = shirt_rows()
    rows[0]["SKU"], rows[1]["SKU"] = rows[1]["SKU"], rows[0]["SKU"]
    import_products(store=store, actor=owner, data=to_csv(rows))
    assert list(Variant.objects.filter(product__store=store).values_list("label", "sku"))[:2] == [
        ("블랙 / M", "A1-블랙-L"), ("블랙 / L", "A1-블랙-M")]


def test_sold_out_product_goes_back_on_sale_when_restocked_by_sheet():
    store = make_store()
    owner = owner_of(store)
    import_products(store=store, actor=owner, data=to_csv([row(재고="0")]))
    p = Product.objects.get(store=store, code="A1")
    assert p.status == Product.Status.SOLD_OUT
    import_products(store=store, actor=owner, data=to_csv([row(재고="4", 판매상태="품절")]))
    p.refresh_from_db()
    assert (p.status, p.stock_total) == (Product.Status.ON_SALE, 4)


def test_two_hundred_rows_import_with_tags_shared_between_products():
    store = make_store()
    rows = [r for i in range(50) for r in shirt_rows(code=f"B{i:03d}", 태그=f"린넨,셔츠{i % 5}")]
    result = import_products(store=store, actor=owner_of(store), data=to_xlsx(rows))
    assert (result.created, result.variants_created, result.rows) == (50, 200, 200)
    assert Variant.objects.filter(product__store=store).count() == 200
    assert ProductAttributeValue.objects.filter(product__store=store).count() == 200
    assert sorted(Tag.objects.filter(products__store=store).distinct().values_list("name", flat=True)) == [
        "린넨", "셔츠0", "셔츠1", "셔츠2", "셔츠3", "셔츠4"]
    assert Product.tags.through.objects.filter(product__store=store).count() == 100


def test_viewer_and_outsider_cannot_import():
    store = make_store()
    viewer = make_user()
    staff_add(store=store, actor=owner_of(store), email=viewer.email, role="viewer")
    for actor in (viewer, make_user()):
        with pytest.raises(PermissionDenied):
            import_products(store=store, actor=actor, data=to_csv([row()]))
    assert not Product.objects.filter(store=store).exists()


# -- store isolation ---------------------------------------------------------------------------------------

def test_import_never_touches_another_stores_product_with_the_same_code():
    mine, theirs = make_store(), make_store()
    their_product = make_product(store=theirs, code="A1")
    before = dump(their_product)
    result = import_products(store=mine, actor=owner_of(mine), data=to_csv([row(상품명="내 상품")]))
    assert (result.created, result.updated) == (1, 0)
    assert dump(their_product) == before
    assert Product.objects.get(store=mine, code="A1").name == "내 상품"
    # and the other store's owner cannot import into my store
    with pytest.raises(PermissionDenied):
        import_products(store=mine, actor=owner_of(theirs), data=to_csv([row(상품명="침입")]))
    assert Product.objects.get(store=mine, code="A1").name == "내 상품"


def test_export_contains_only_the_stores_own_products():
    mine, theirs = make_store(), make_store()
    make_product(store=mine, code="MINE")
    make_product(store=theirs, code="THEIRS")
    text = export_products(store=mine, fmt="csv").decode("utf-8-sig")
    assert "MINE" in text and "THEIRS" not in text


# -- export and round trips --------------------------------------------------------------------------------

def _varied_store():
    store = make_store()
    owner = owner_of(store)
    make_product(store=store, code="R1")
    make_product(store=store, code="R2", name="=HYPERLINK(\"http://x\")", options=[], variants=[VariantInput({}, stock=3)],
                 sale_price=None, tags=[], brand="-브랜드", description_html="<p>a</p>\n<p>b</p>")
    p3 = make_product(store=store, code="R3", options=[OptionInput("사이즈", ["S", "M", "L"])],
                      variants=[VariantInput({"사이즈": "S"}, stock=1, is_active=False), VariantInput({"사이즈": "M"}, stock=2)],
                      notice={"제품 소재": "면", "제조국": "한국"}, shipping_fee=0, made_to_order=True, dispatch_days=10)
    from kkot.catalog.services import products_set_status

    products_set_status(store=store, actor=owner, product_ids=[p3.pk], status="hidden")
    make_product(store=store, code="R4", category_id=Category.objects.get(slug="cream").pk,
                 attributes={"skin_type": ["건성", "지성"], "volume": "50ml, 2개"}, options=[], variants=[],
                 sale_price=None, cold_chain=True)
    return store, owner


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_into_the_same_store_changes_nothing(fmt):
    store, owner = _varied_store()
    products = list(Product.objects.filter(store=store).order_by("id"))
    before = {p.code: (dump(p), p.updated_at, sorted(p.variants.values_list("pk", flat=True))) for p in products}
    data = export_products(store=store, fmt=fmt)
    result = import_products(store=store, actor=owner, data=data, filename=f"export.{fmt}")
    assert (result.created, result.updated, result.unchanged) == (0, 0, 4)
    after = {p.code: (dump(p), p.updated_at, sorted(p.variants.values_list("pk", flat=True)))
             for p in Product.objects.filter(store=store)}
    assert after == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_round_trip_into_an_empty_store_gives_identical_products(fmt):
    store, _owner = _varied_store()
    data = export_products(store=store, fmt=fmt)
    empty = make_store()
    result = import_products(store=empty, actor=owner_of(empty), data=data, filename=f"export.{fmt}")
    assert result.created == 4
    src = {p.code: dump(p) for p in Product.objects.filter(store=store)}
    dst = {p.code: dump(p) for p in Product.objects.filter(store=empty)}
    assert dst == src
    assert Product.objects.get(store=empty, code="R3").status == "hidden"
    assert export_products(store=empty, fmt="csv") == export_products(store=store, fmt="csv")


def test_csv_export_neutralises_formulas_and_xlsx_export_writes_them_as_text():
    store, _owner = _varied_store()
    text = export_products(store=store, fmt="csv")
    assert text.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(text.decode("utf-8-sig"))))
    r2 = next(r for r in rows if r[0] == "R2")
    assert r2[1] == "'=HYPERLINK(\"http://x\")" and r2[8] == "'-브랜드"
    wb = openpyxl.load_workbook(io.BytesIO(export_products(store=store, fmt="xlsx")))
    ws = wb["상품"]
    cell = next(r[1] for r in ws.iter_rows(min_row=2) if r[0].value == "R2")
    assert (cell.value, cell.data_type) == ("=HYPERLINK(\"http://x\")", "s")


def test_export_of_an_empty_store_is_just_the_header():
    store = make_store()
    rows = list(csv.reader(io.StringIO(export_products(store=store, fmt="csv").decode("utf-8-sig"))))
    assert len(rows) == 1 and rows[0][:4] == ["상품코드", "상품명", "카테고리", "판매가"]


# -- templates ---------------------------------------------------------------------------------------------

def test_template_workbook_has_header_examples_guide_and_drop_downs():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook()))
    assert wb.sheetnames == ["상품", "카테고리", "안내"]
    ws = wb["상품"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["상품코드", "상품명", "카테고리", "판매가"] and "속성:소재" in header and "고시:전성분" in header
    assert ws["A2"].value.startswith("#")
    guide_names = {r[0] for r in wb["안내"].iter_rows(min_row=2, values_only=True) if r and r[0]}
    assert set(header) <= guide_names
    ranges = {str(dv.sqref).split(":")[0]: dv.formula1 for dv in ws.data_validations.dataValidation}
    status_col = openpyxl.utils.get_column_letter(header.index("판매상태") + 1)
    assert ranges[f"{status_col}2"] == '"판매중,품절,판매중지,숨김"'
    assert wb["카테고리"]["A2"].value.count(">") == 2


def test_template_for_a_category_has_only_its_attributes_and_notices():
    wb = openpyxl.load_workbook(io.BytesIO(template_workbook(category=Category.objects.get(slug="cream"))))
    header = [c.value for c in wb["상품"][1]]
    assert [h for h in header if h.startswith("속성:")] == ["속성:원산지", "속성:피부타입", "속성:용량"]
    assert "고시:전성분" in header and "고시:제품 소재" not in header
    assert wb["상품"]["C2"].value == "화장품/미용>스킨케어>크림"


def test_unchanged_template_imports_nothing_and_says_so():
    store = make_store()
    for data in (template_workbook(), template_csv()):
        with pytest.raises(ValidationError) as exc:
            import_products(store=store, actor=owner_of(store), data=data)
        assert exc.value.code == "sheet_empty"


def test_filled_template_imports():
    store = make_store()
    text = template_csv().decode("utf-8-sig").replace("#TS-001", "TS-001")
    result = import_products(store=store, actor=owner_of(store), data=text.encode("utf-8"))
    assert (result.created, result.variants_created) == (1, 2)  # 블랙 x (M, L)
