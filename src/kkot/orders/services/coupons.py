"""Store coupons from the seller center: create (validated, Korean errors per field) and deactivate."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.core.errors import NotFound, ValidationError
from kkot.orders.models import Coupon
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

CODE_RE = re.compile(r"^[A-Z0-9][A-Z0-9_-]{2,29}$")
MAX_AMOUNT = Decimal(10_000_000)


def _money(value: Any, field: str, errors: dict[str, list[str]], *, required: bool, minimum: int = 0) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            errors.setdefault(field, []).append(_("금액을 입력해 주세요."))
        return None
    try:
        text = str(value).replace(",", "").strip()
        amount = Decimal(text)
    except (InvalidOperation, ValueError):
        errors.setdefault(field, []).append(_("금액은 숫자로 입력해 주세요."))
        return None
    if amount != amount.to_integral_value():
        errors.setdefault(field, []).append(_("원 단위 정수로 입력해 주세요(소수점 없음)."))
        return None
    if amount < minimum or amount > MAX_AMOUNT:
        errors.setdefault(field, []).append(_("%(lo)s원에서 %(hi)s원 사이로 입력해 주세요.")
                                            % {"lo": f"{minimum:,}", "hi": f"{int(MAX_AMOUNT):,}"})
        return None
    return amount.quantize(Decimal(1))


@transaction.atomic
def coupon_create(*, store: Store, actor, code: str, name: str, kind: str, amount=None, percent=None,
                  max_discount=None, min_order=0, starts_at: dt.datetime | None, ends_at: dt.datetime | None,
                  audience: str = Coupon.Audience.ALL, usage_limit: int | None = None) -> Coupon:
    """A fixed (amount) or percent (1-90%, optional max discount) coupon for this store's items.

    Every problem is reported at once: ``ValidationError.details`` maps field names to Korean messages."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    errors: dict[str, list[str]] = {}
    code = (code or "").strip().upper()
    if not CODE_RE.match(code):
        errors["code"] = [_("쿠폰 코드는 영문 대문자, 숫자, -, _ 3~30자입니다. 예: SPRING10")]
    elif Coupon.objects.filter(store=store, code__iexact=code).exists():
        errors["code"] = [_("이미 있는 쿠폰 코드입니다: %(c)s") % {"c": code}]
    name = (name or "").strip()
    if not name:
        errors["name"] = [_("쿠폰 이름을 입력해 주세요.")]
    elif len(name) > 60:
        errors["name"] = [_("쿠폰 이름은 60자 이내로 입력해 주세요.")]
    if kind not in Coupon.Kind.values:
        errors["kind"] = [_("할인 방식을 선택해 주세요.")]
    amt = pct = cap = None
    if kind == Coupon.Kind.FIXED:
        amt = _money(amount, "amount", errors, required=True, minimum=1)
    elif kind == Coupon.Kind.PERCENT:
        try:
            pct = int(str(percent).strip()) if percent not in (None, "") else None
        except ValueError:
            pct = -1
        if pct is None:
            errors["percent"] = [_("할인율을 입력해 주세요.")]
        elif not 1 <= pct <= 90:
            errors["percent"] = [_("할인율은 1%에서 90% 사이로 입력해 주세요.")]
        cap = _money(max_discount, "max_discount", errors, required=False, minimum=1)
    min_amt = _money(min_order if min_order not in (None, "") else 0, "min_order", errors, required=True)
    if amt is not None and min_amt and amt > min_amt:
        errors.setdefault("amount", []).append(_("할인 금액이 최소 주문금액보다 클 수 없습니다."))
    if starts_at is None:
        errors["starts_at"] = [_("시작 일시를 입력해 주세요.")]
    if ends_at is None:
        errors["ends_at"] = [_("종료 일시를 입력해 주세요.")]
    if starts_at and ends_at:
        if ends_at <= starts_at:
            errors.setdefault("ends_at", []).append(_("종료 일시는 시작 일시보다 뒤여야 합니다."))
        elif ends_at <= timezone.now():
            errors.setdefault("ends_at", []).append(_("이미 끝난 기간입니다. 종료 일시를 확인해 주세요."))
    if audience not in Coupon.Audience.values:
        errors["audience"] = [_("쿠폰 대상을 선택해 주세요.")]
    limit = None
    if usage_limit not in (None, ""):
        try:
            limit = int(str(usage_limit).strip())
        except ValueError:
            limit = 0
        if not 1 <= limit <= 1_000_000:
            errors["usage_limit"] = [_("발행 한도는 1에서 1,000,000 사이로 입력해 주세요. 비우면 제한 없음입니다.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], code="invalid_coupon", details=errors)
    try:
        with transaction.atomic():
            return Coupon.objects.create(store=store, code=code, name=name, kind=kind, amount=amt, percent=pct,
                                         max_discount=cap, min_order=min_amt or Decimal(0), starts_at=starts_at,
                                         ends_at=ends_at, audience=audience, usage_limit=limit)
    except IntegrityError:  # the same code created at the same moment
        raise ValidationError(_("이미 있는 쿠폰 코드입니다: %(c)s") % {"c": code}, code="invalid_coupon",
                              details={"code": [_("이미 있는 쿠폰 코드입니다: %(c)s") % {"c": code}]}) from None


@transaction.atomic
def coupon_deactivate(*, store: Store, actor, coupon_id) -> Coupon:
    """Stop a coupon (it can no longer be used; redemptions stay). Idempotent."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    coupon = (Coupon.objects.select_for_update().filter(store=store, pk=coupon_id).first()
              if str(coupon_id).isdigit() else None)
    if coupon is None:
        raise NotFound(_("쿠폰을 찾을 수 없습니다."))
    if coupon.is_active:
        coupon.is_active = False
        coupon.save(update_fields=["is_active"])
    return coupon
