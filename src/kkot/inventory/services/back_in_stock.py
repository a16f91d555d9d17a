"""재입고 알림: a shopper asks to be told when a sold-out option is back."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kkot.catalog.models import Variant
from kkot.core.errors import NotFound, ValidationError
from kkot.inventory.models import BackInStockRequest


@transaction.atomic
def back_in_stock_request(*, user, variant_id) -> BackInStockRequest:
    """재입고 알림 신청 for a sold-out option. Asking twice keeps one open request."""
    v = (
        Variant.objects.select_related("product").filter(pk=variant_id, is_active=True).first()
        if str(variant_id).isdigit()
        else None
    )
    if v is None or not v.product.is_visible:
        raise NotFound(_("상품을 찾을 수 없습니다."))
    if v.stock > 0:
        raise ValidationError(_("지금 구매할 수 있는 옵션입니다."), code="in_stock")
    existing = BackInStockRequest.objects.filter(variant=v, user=user, notified_at__isnull=True).first()
    if existing is not None:
        return existing
    return BackInStockRequest.objects.create(variant=v, user=user)
