"""Public recommendation widgets with their Korean reasons (no personal data: the caller passes the history)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from kkot.api.errors import json_error
from kkot.api.schemas.common import ERRORS
from kkot.catalog.selectors import product_visible_get
from kkot.recommendations import selectors as recs
from kkot.stores.selectors import store_public_get

router = Router(tags=["추천"])
MAX_ID = 2**63 - 1


class RecsParams(Schema):
    product_id: int | None = Field(None, ge=1, le=MAX_ID, description="기준 상품 id (함께 본/함께 구매한/비슷한 상품)")
    store: str | None = Field(None, max_length=40, description="이 스토어 상품만 (스토어 주소)")
    history: str = Field("", max_length=2000, description="최근 본 상품 id, 쉼표로 구분, 오래된 것부터 (맞춤 추천)")
    product_ids: str = Field("", max_length=2000, description="장바구니 상품 id, 쉼표로 구분 (장바구니 추천)")
    k: int = Field(8, ge=1, le=20)


class RecItemOut(Schema):
    product_id: int
    name: str
    store: str
    price: int
    sale_price: int | None
    url: str
    position: int
    reason: str
    reason_kind: str


class WidgetOut(Schema):
    widget: str
    title: str
    source: str
    items: list[RecItemOut]


def _ids(raw: str) -> list[int]:
    out = []
    for part in raw.split(",")[:50]:
        part = part.strip()
        if part.isascii() and part.isdigit() and 1 <= int(part) <= MAX_ID:
            out.append(int(part))
    return out


def _out(w) -> dict:
    items = []
    for it in w.items:
        p = it.product
        items.append({"product_id": p.pk, "name": p.name, "store": p.store.slug, "price": int(p.price),
                      "sale_price": int(p.sale_price) if p.sale_active() else None,
                      "url": f"/s/{p.store.slug}/p/{p.pk}/", "position": it.position, "reason": it.reason,
                      "reason_kind": it.kind})
    return {"widget": w.name, "title": w.title, "source": w.source, "items": items}


@router.get("/{widget}", response={200: WidgetOut, **ERRORS}, summary="추천 위젯",
            description="widget: viewed_together, bought_together, similar (product_id 필요), for_you (history), "
                        "cart_addons (product_ids). 각 상품에 추천 이유(한국어)가 붙습니다. 품절·숨김·판매중지 상품과 "
                        "휴점·폐점 스토어 상품은 나오지 않습니다. 모델이 없으면 카테고리 인기 상품, 그것도 없으면 빈 목록입니다.")
def widget(request, widget: str, params: Query[RecsParams]):
    if widget not in recs.WIDGETS:
        return json_error("not_found", _("알 수 없는 추천 위젯입니다."), 404)
    store_id = store_public_get(slug=params.store).pk if params.store else None
    if widget in ("viewed_together", "bought_together", "similar"):
        if params.product_id is None:
            return json_error("invalid_request", _("product_id가 필요합니다."), 422)
        product = product_visible_get(product_id=params.product_id)
        fn = getattr(recs, widget)
        kw = {"session_history": _ids(params.history)} if widget == "viewed_together" else {}
        return _out(fn(product=product, store_id=store_id, k=params.k, **kw))
    if widget == "for_you":
        return _out(recs.for_you_from_history(product_ids=_ids(params.history), store_id=store_id, k=params.k))
    return _out(recs.cart_addons(product_ids=_ids(params.product_ids), k=params.k))
