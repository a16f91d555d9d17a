"""Korean product search (one store or the whole platform)."""

from __future__ import annotations

from ninja import Query, Router

from kkot.api.params import SearchParams, attribute_filters
from kkot.api.schemas.common import ERRORS
from kkot.api.schemas.search import SearchOut, search_out
from kkot.catalog.selectors import category_get
from kkot.stores.selectors import store_public_get

router = Router(tags=["검색"])


@router.get("", response={200: SearchOut, **ERRORS}, summary="상품 검색",
            description="형태소 분석(Kiwi)과 BM25 순위로 검색합니다. 띄어쓰기와 흔한 오타를 허용합니다. "
                        "store(스토어 주소)를 주면 그 스토어 안에서만 찾습니다. 속성 필터 `attr_<코드>=값1,값2`.")
def search(request, params: Query[SearchParams]):
    from kkot.search.selectors import SearchQuery, search_products

    store_id = store_public_get(slug=params.store).pk if params.store else None
    category_id = category_get(ref=params.category).pk if params.category else None
    result = search_products(SearchQuery(
        q=params.q, store_id=store_id, category_id=category_id, min_price=params.min_price,
        max_price=params.max_price, attributes=attribute_filters(request.GET), in_stock=params.in_stock,
        sort=params.sort, page=params.page, per_page=params.per_page,
    ))
    return search_out(result)
