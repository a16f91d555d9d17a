"""The shopper's address book (배송지): create, update, delete, choose the default. Always scoped to the user."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kkot.core.errors import NotFound, ValidationError
from kkot.orders.models import Address
from kkot.orders.services.checkout import AddressInput, _check_address

MAX_ADDRESSES = 20


def _get(user, address_id) -> Address:
    a = (Address.objects.select_for_update().filter(user=user, pk=int(address_id)).first()
         if str(address_id).isdigit() and int(address_id) < 2**63 else None)
    if a is None:
        raise NotFound(_("배송지를 찾을 수 없습니다."))
    return a


def _label(label: str) -> str:
    label = (label or "").strip()
    if len(label) > 20:
        raise ValidationError(_("배송지명은 20자 이내로 입력해 주세요."), code="invalid_address",
                              details={"label": [_("배송지명은 20자 이내로 입력해 주세요.")]})
    return label


@transaction.atomic
def address_create(*, user, data: AddressInput, label: str = "", is_default: bool = False) -> Address:
    """Add an address; the first one becomes the default."""
    clean = _check_address(data)
    label = _label(label)
    if Address.objects.filter(user=user).count() >= MAX_ADDRESSES:
        raise ValidationError(_("배송지는 %(n)d개까지 저장할 수 있습니다.") % {"n": MAX_ADDRESSES}, code="too_many_addresses")
    first = not Address.objects.filter(user=user).exists()
    if is_default or first:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
    return Address.objects.create(user=user, label=label, recipient=clean.recipient, phone=clean.phone,
                                  postcode=clean.postcode, address1=clean.address1, address2=clean.address2,
                                  is_default=is_default or first)


@transaction.atomic
def address_update(*, user, address_id, data: AddressInput, label: str = "", is_default: bool = False) -> Address:
    a = _get(user, address_id)
    clean = _check_address(data)
    a.label = _label(label)
    a.recipient, a.phone, a.postcode = clean.recipient, clean.phone, clean.postcode
    a.address1, a.address2 = clean.address1, clean.address2
    if is_default and not a.is_default:
        Address.objects.filter(user=user, is_default=True).update(is_default=False)
        a.is_default = True
    a.save()
    return a


@transaction.atomic
def address_delete(*, user, address_id) -> None:
    """Delete; if it was the default, the newest remaining address becomes the default."""
    a = _get(user, address_id)
    was_default = a.is_default
    a.delete()
    if was_default:
        nxt = Address.objects.filter(user=user).order_by("-created_at", "-pk").first()
        if nxt is not None:
            Address.objects.filter(pk=nxt.pk).update(is_default=True)


@transaction.atomic
def address_set_default(*, user, address_id) -> Address:
    a = _get(user, address_id)
    Address.objects.filter(user=user, is_default=True).exclude(pk=a.pk).update(is_default=False)
    if not a.is_default:
        a.is_default = True
        a.save(update_fields=["is_default"])
    return a
