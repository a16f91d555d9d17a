"""Shared helpers of the API tests: request bodies and a database snapshot for "nothing changed" checks."""

from __future__ import annotations

from pathlib import Path

from django.apps import apps
from django.conf import settings

from kkot.core.testing import leaf_category

SNAPSHOT_APPS = ("accounts", "stores", "catalog")
VOLATILE = {"last_used_at", "last_login"}


def product_body(**overrides) -> dict:
    body = {
        "name": "API 반팔 티셔츠",
        "category_id": leaf_category().pk,
        "price": 19000,
        "sale_price": 15000,
        "description_html": "<p>부드러운 면 티셔츠</p>",
        "brand": "꽃브랜드",
        "attributes": {"material": ["면"], "fit": "레귤러"},
        "notice": {"제조국": "대한민국"},
        "tags": ["반팔", "면티"],
        "options": [{"name": "색상", "values": ["블랙", "화이트"]}, {"name": "사이즈", "values": ["S", "M"]}],
        "variants": [
            {"option_values": {"색상": "블랙", "사이즈": "S"}, "stock": 3, "sku": "T-BK-S"},
            {"option_values": {"색상": "블랙", "사이즈": "M"}, "stock": 2, "sku": "T-BK-M"},
            {"option_values": {"색상": "화이트", "사이즈": "S"}, "stock": 0, "sku": "T-WH-S"},
            {"option_values": {"색상": "화이트", "사이즈": "M"}, "stock": 1, "sku": "T-WH-M", "price_delta": 1000},
        ],
        "shipping_fee": 2500,
        "dispatch_days": 1,
    }
    body.update(overrides)
    return body


def media_files() -> list[str]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()) if root.exists() else []


def db_snapshot() -> dict:
    """Every row of the accounts, stores and catalog tables (plus the media files): equal before and after
    a refused request means the request stored nothing."""
    out: dict = {}
    for label in SNAPSHOT_APPS:
        for model in apps.get_app_config(label).get_models():
            fields = [f.attname for f in model._meta.concrete_fields if f.attname not in VOLATILE]
            out[model._meta.label] = list(model.objects.order_by("pk").values_list(*fields))
            for m2m in model._meta.many_to_many:
                through = m2m.remote_field.through
                out[through._meta.label] = list(through.objects.order_by("pk").values_list())
    out["media"] = media_files()
    return out
