"""OpenAPI schema and Swagger UI: Korean summaries, bearer security, and docs that work offline."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_openapi_schema(anon):
    r = anon.get("/api/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    assert schema["info"]["title"] == "kkot API" and schema["info"]["version"] == "1"
    assert "스마트스토어" in schema["info"]["description"]
    assert schema["components"]["securitySchemes"]["SellerToken"]["scheme"] == "bearer"
    ops = [(m, p, op) for p, methods in schema["paths"].items() for m, op in methods.items()]
    assert all(p.startswith("/api/v1/") for _m, p, _op in ops)
    for method, path, op in ops:
        assert re.search(r"[가-힣]", op["summary"]), (method, path)
    assert {tag for _m, _p, op in ops for tag in op["tags"]} == {"카탈로그", "스토어", "검색", "판매자", "결제", "추천", "배송",
                                                                         "상품등록 도우미", "분석", "리뷰"}
    money = schema["components"]["schemas"]["ProductIn"]["properties"]["price"]
    assert money["type"] == "integer"


def test_swagger_ui_is_served_without_a_cdn(anon):
    r = anon.get("/api/docs")
    assert r.status_code == 200
    html = r.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html and "/static/ninja/swagger-ui.css" in html
    assert not re.search(r'(src|href)="(https?:)?//', html), "the docs page must not load anything from another host"
    assert '"validatorUrl": null' in html  # no call to validator.swagger.io
    assert '"url": "/api/openapi.json"' in html
    for asset in ("ninja/swagger-ui-bundle.js", "ninja/swagger-ui.css", "ninja/swagger-ui-init.js"):
        assert finders.find(asset), f"{asset} is not in the static files (is 'ninja' in INSTALLED_APPS?)"
