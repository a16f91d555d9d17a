"""Public catalog: the category tree and the platform-wide product listing."""

from __future__ import annotations

from ninja import Query, Router

from kkot.api.pagination import Page, paginate
from kkot.api.params import ProductListParams
from kkot.api.schemas.catalog import CategoryNode, ProductSummaryOut
from kkot.api.schemas.common import ERRORS
from kkot.catalog.selectors import category_tree, products_visible

router = Router(tags=["카탈로그"])


def _node(node: dict) -> dict:
    c = node["category"]
    return {"id": c.pk, "name": c.name, "slug": c.slug, "level": c.level,
            "children": [_node(child) for child in node["children"]]}


@router.get("/categories", response=list[CategoryNode], summary="카테고리 트리",
            description="3단계(대/중/소분류) 카테고리 전체를 트리로 돌려줍니다. 상품 등록에는 소분류 id를 씁니다.")
def categories(request):
    return [_node(n) for n in category_tree()]


@router.get("/products", response={200: Page[ProductSummaryOut], **ERRORS}, summary="전체 상품 목록",
            description="모든 운영중 스토어의 공개 상품(판매중·품절). 필터: category, min_price, max_price, in_stock, "
                        "속성 필터 `attr_<코드>=값1,값2` (예: `attr_material=린넨,면`), 정렬 sort.")
def products(request, params: Query[ProductListParams]):
    qs = products_visible(params.to_filter(request, store=None))
    return paginate(qs, page=params.page, per_page=params.per_page)
