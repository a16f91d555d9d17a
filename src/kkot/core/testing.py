"""Test factories shared by every app's tests (plain functions: explicit and fast)."""

from __future__ import annotations

import io
import itertools

from PIL import Image

_seq = itertools.count(1)

VALID_BRN = "220-81-62517"  # passes the 국세청 check digit


def make_user(*, email: str | None = None, password: str = "pw-kkot-1234", **extra):
    from kkot.accounts.models import User

    n = next(_seq)
    return User.objects.create_user(email=email or f"user{n}@example.com", password=password, **extra)


def store_fields(**overrides) -> dict:
    fields = dict(
        business_name="꽃상점", representative="김꽃님", business_reg_no=VALID_BRN,
        mail_order_no="2024-서울마포-01234", contact_phone="02-123-4567", contact_email="help@example.com",
        return_postcode="04001", return_address="서울특별시 마포구 월드컵로 1", return_address_detail="2층",
        shipping_base_fee=3000, shipping_free_over=50000,
    )
    fields.update(overrides)
    return fields


def make_store(*, owner=None, slug: str | None = None, name: str = "테스트 상점", **overrides):
    from kkot.stores.services import store_create

    owner = owner or make_user()
    return store_create(owner=owner, slug=slug or f"store-{next(_seq)}", name=name, **store_fields(**overrides))


def leaf_category(slug: str = "w-tshirt"):
    from kkot.catalog.models import Category

    return Category.objects.get(slug=slug)


def product_input(**overrides):
    from kkot.catalog.services import OptionInput, ProductInput, VariantInput

    data = dict(
        name="린넨 오버핏 셔츠", category_id=leaf_category().pk, price=39000, sale_price=29000,
        description_html="<p>시원한 린넨 셔츠</p>", attributes={"material": ["린넨"], "season": ["여름"], "fit": "오버사이즈"},
        tags=["린넨", "여름셔츠"],
        options=[OptionInput("색상", ["블랙", "화이트"]), OptionInput("사이즈", ["M", "L"])],
        variants=[VariantInput(option_values={"색상": "블랙", "사이즈": "M"}, stock=5, sku="SH-BK-M"),
                  VariantInput(option_values={"색상": "블랙", "사이즈": "L"}, stock=0, sku="SH-BK-L"),
                  VariantInput(option_values={"색상": "화이트", "사이즈": "M"}, stock=3, sku="SH-WH-M", price_delta=1000),
                  VariantInput(option_values={"색상": "화이트", "사이즈": "L"}, stock=2, sku="SH-WH-L", price_delta=1000)],
    )
    data.update(overrides)
    return ProductInput(**data)


def make_product(*, store=None, actor=None, **overrides):
    from kkot.catalog.services import product_create
    from kkot.stores.models import StoreMembership

    store = store or make_store()
    if actor is None:
        actor = StoreMembership.objects.filter(store=store, role="owner").first().user
    return product_create(store=store, actor=actor, data=product_input(**overrides))


def image_bytes(size=(600, 600), color=(200, 30, 60), fmt="JPEG") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, format=fmt)
    return buf.getvalue()


def upload(data: bytes, name: str = "photo.jpg", content_type: str = "image/jpeg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, data, content_type=content_type)
