"""Warehouses of a store: the default one (created on first use), new ones, and which one is the default."""

from __future__ import annotations

import re

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from kkot.core.errors import Conflict, NotFound, ValidationError
from kkot.inventory.models import Warehouse
from kkot.stores.models import Store, StoreMembership
from kkot.stores.services import require_role

CODE_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,29}$")


def warehouse_default(*, store: Store, cold_chain: bool = False) -> Warehouse:
    """The store's default warehouse (or, for chilled/frozen goods, its first cold-chain one), created on
    first use: a store without warehouses gets "기본 창고" (cold-chain capable when asked for cold chain)."""
    qs = Warehouse.objects.filter(store=store, is_active=True)
    if cold_chain:
        wh = qs.filter(cold_chain=True).order_by("-is_default", "pk").first()
    else:
        wh = qs.filter(is_default=True).first() or qs.order_by("pk").first()
    if wh is not None:
        return wh
    has_default = Warehouse.objects.filter(store=store, is_default=True).exists()
    code = "cold" if cold_chain and has_default else "main"
    try:
        with transaction.atomic():
            return Warehouse.objects.create(
                store=store,
                code=code,
                name=_("기본 창고"),
                cold_chain=cold_chain,
                is_default=not has_default,
                postcode=store.return_postcode,
            )
    except IntegrityError:  # created concurrently
        return Warehouse.objects.get(store=store, code=code)


@transaction.atomic
def warehouse_create(
    *,
    store: Store,
    actor,
    name: str,
    code: str,
    kind: str = Warehouse.Kind.OWN,
    cold_chain: bool = False,
    is_default: bool = False,
    postcode: str = "",
) -> Warehouse:
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    name, code = (name or "").strip(), (code or "").strip().lower()
    if not name or len(name) > 40:
        raise ValidationError(_("창고 이름을 1~40자로 입력해 주세요."), code="invalid_name")
    if not CODE_RE.match(code):
        raise ValidationError(_("창고 코드는 영문 소문자, 숫자, -로 30자 이내입니다."), code="invalid_code")
    if kind not in Warehouse.Kind.values:
        raise ValidationError(_("알 수 없는 창고 종류입니다."), code="invalid_kind")
    if postcode and not re.fullmatch(r"\d{5}", postcode):
        raise ValidationError(_("우편번호는 숫자 5자리입니다."), code="invalid_postcode")
    if Warehouse.objects.filter(store=store, code=code).exists():
        raise Conflict(_("이미 있는 창고 코드입니다."), code="duplicate_code")
    first = not Warehouse.objects.filter(store=store).exists()
    if is_default and not first:
        Warehouse.objects.filter(store=store, is_default=True).update(is_default=False)
    return Warehouse.objects.create(
        store=store,
        name=name,
        code=code,
        kind=kind,
        cold_chain=cold_chain,
        is_default=is_default or first,
        postcode=postcode,
    )


def seller_warehouse(store: Store, warehouse_id) -> Warehouse:
    """One of the store's warehouses by the id a seller sent, or NotFound."""
    wh = (
        Warehouse.objects.filter(pk=warehouse_id, store=store).first()
        if str(warehouse_id).isdigit()
        else None
    )
    if wh is None:
        raise NotFound(_("창고를 찾을 수 없습니다."))
    return wh


@transaction.atomic
def warehouse_set_default(*, store: Store, actor, warehouse_id) -> Warehouse:
    """기본 출고지 바꾸기: exactly one default warehouse per store (an inactive one cannot be the default)."""
    require_role(store=store, user=actor, role=StoreMembership.Role.MANAGER)
    wh = seller_warehouse(store, warehouse_id)
    if not wh.is_active:
        raise ValidationError(
            _("사용하지 않는 창고는 기본 출고지로 정할 수 없습니다."), code="inactive_warehouse"
        )
    Warehouse.objects.filter(store=store, is_default=True).exclude(pk=wh.pk).update(is_default=False)
    if not wh.is_default:
        wh.is_default = True
        wh.save(update_fields=["is_default"])
    return wh
