"""Seller authentication: ``Authorization: Bearer kk_...`` API tokens, each bound to one user and one store."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja.security import HttpBearer

from kkot.accounts.models import ApiToken
from kkot.accounts.services import api_token_authenticate
from kkot.core.errors import NotFound
from kkot.stores.models import Store
from kkot.stores.selectors import membership_get


class SellerToken(HttpBearer):
    """Resolves the bearer token to a live :class:`ApiToken` (``request.auth``); None -> 401."""

    openapi_description = "판매자 API 토큰 (kk_로 시작). 셀러센터 > API 토큰에서 발급합니다."

    def authenticate(self, request: HttpRequest, token: str) -> ApiToken | None:
        token = (token or "").strip()
        if not token:
            return None
        return api_token_authenticate(token)


seller_token = SellerToken()


def seller_store(request: HttpRequest, slug: str) -> Store:
    """The store a seller request acts on. The token is bound to one store: any other slug is 404,
    even one where the user is staff (a token leaked for one store never reaches another), and the
    membership is checked again so a removed staff member's token stops working."""
    token: ApiToken = request.auth
    if token is None or slug != token.store.slug:
        raise NotFound(_("스토어를 찾을 수 없습니다."))
    membership = membership_get(user=token.user, slug=slug)
    request.user = token.user
    return membership.store
