"""Store writes: opening a store, settings, staff, follows (단골)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.core.errors import Conflict, PermissionDenied, ValidationError
from kkot.core.uploads import clean_image
from kkot.core.validators import format_brn, normalize_brn
from kkot.stores.models import RESERVED_SLUGS, Store, StoreBanner, StoreFollow, StoreMembership

Role = StoreMembership.Role
ROLE_RANK = {Role.VIEWER: 1, Role.MANAGER: 2, Role.OWNER: 3}

STORE_EDITABLE_FIELDS = {
    "name", "description", "business_name", "representative", "business_reg_no", "mail_order_no",
    "contact_phone", "contact_email", "return_postcode", "return_address", "return_address_detail",
    "shipping_base_fee", "shipping_free_over", "shipping_jeju_surcharge", "shipping_island_surcharge",
    "same_day_cutoff", "status", "webhook_url",
}


def _raise_from_django(exc: DjangoValidationError) -> None:
    details = {f: [str(m) for m in msgs] for f, msgs in exc.message_dict.items()} if hasattr(exc, "message_dict") else None
    first = next(iter(details.values()))[0] if details else "; ".join(exc.messages)
    raise ValidationError(first, code="invalid", details=details) from exc


def require_role(*, store: Store, user: User, role: str) -> StoreMembership:
    """The user's membership if it has at least ``role``; else PermissionDenied."""
    m = StoreMembership.objects.filter(store=store, user=user).first() if user and user.is_authenticated else None
    if m is None or ROLE_RANK[Role(m.role)] < ROLE_RANK[Role(role)]:
        raise PermissionDenied(_("이 작업을 할 권한이 없습니다."), code="forbidden")
    return m


@transaction.atomic
def store_create(*, owner: User, slug: str, name: str, logo=None, **fields: Any) -> Store:
    """Open a store; the creator becomes its owner. All fields are validated before anything is saved."""
    slug = (slug or "").strip().lower()
    if slug in RESERVED_SLUGS:
        raise ValidationError(_("사용할 수 없는 스토어 주소입니다."), code="slug_reserved", details={"slug": [slug]})
    unknown = set(fields) - STORE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("알 수 없는 항목: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field")
    if "business_reg_no" in fields:
        fields["business_reg_no"] = format_brn(normalize_brn(fields["business_reg_no"]))
    store = Store(slug=slug, name=(name or "").strip(), **fields)
    try:
        store.full_clean(exclude=["logo"])
    except DjangoValidationError as exc:
        if "slug" in getattr(exc, "message_dict", {}) and Store.objects.filter(slug=slug).exists():
            raise ValidationError(_("이미 사용 중인 스토어 주소입니다."), code="slug_taken", details={"slug": [slug]}) from exc
        _raise_from_django(exc)
    clean_logo = clean_image(logo) if logo else None
    try:
        with transaction.atomic():
            store.save()
    except IntegrityError as exc:
        raise Conflict(_("이미 사용 중인 스토어 주소입니다."), code="slug_taken") from exc
    if clean_logo:
        _save_logo(store, clean_logo)
    StoreMembership.objects.create(store=store, user=owner, role=Role.OWNER)
    return store


def _save_logo(store: Store, img) -> None:
    from django.core.files.base import ContentFile

    store.logo.save(f"{store.slug}-{img.sha256[:12]}.{img.ext}", ContentFile(img.thumbnail), save=True)


@transaction.atomic
def store_update(*, store: Store, actor: User, logo=None, **fields: Any) -> Store:
    require_role(store=store, user=actor, role=Role.MANAGER)
    unknown = set(fields) - STORE_EDITABLE_FIELDS
    if unknown:
        raise ValidationError(_("알 수 없는 항목: %(f)s") % {"f": ", ".join(sorted(unknown))}, code="unknown_field")
    if "business_reg_no" in fields:
        fields["business_reg_no"] = format_brn(normalize_brn(fields["business_reg_no"]))
    locked = Store.objects.select_for_update().get(pk=store.pk)
    for k, v in fields.items():
        setattr(locked, k, v)
    try:
        locked.full_clean(exclude=["logo", "slug"])
    except DjangoValidationError as exc:
        _raise_from_django(exc)
    clean_logo = clean_image(logo) if logo else None
    locked.save()
    if clean_logo:
        _save_logo(locked, clean_logo)
    return locked


@transaction.atomic
def staff_add(*, store: Store, actor: User, email: str, role: str) -> StoreMembership:
    """Owner adds an existing kkot member as staff."""
    require_role(store=store, user=actor, role=Role.OWNER)
    if role not in Role.values:
        raise ValidationError(_("알 수 없는 역할입니다."), code="invalid_role")
    user = User.objects.filter(email__iexact=(email or "").strip()).first()
    if user is None:
        raise ValidationError(_("해당 이메일로 가입한 회원이 없습니다. 먼저 kkot에 가입하도록 안내해 주세요."), code="user_not_found")
    membership, created = StoreMembership.objects.get_or_create(store=store, user=user, defaults={"role": role})
    if not created:
        raise Conflict(_("이미 이 스토어의 직원입니다."), code="already_member")
    return membership


@transaction.atomic
def staff_change_role(*, store: Store, actor: User, membership_id: int, role: str) -> StoreMembership:
    require_role(store=store, user=actor, role=Role.OWNER)
    if role not in Role.values:
        raise ValidationError(_("알 수 없는 역할입니다."), code="invalid_role")
    m = StoreMembership.objects.select_for_update().filter(store=store, pk=membership_id).first()
    if m is None:
        from kkot.core.errors import NotFound

        raise NotFound(_("직원을 찾을 수 없습니다."))
    if m.role == Role.OWNER and role != Role.OWNER and _owner_count(store) <= 1:
        raise ValidationError(_("대표는 최소 한 명 있어야 합니다."), code="last_owner")
    m.role = role
    m.save(update_fields=["role"])
    return m


@transaction.atomic
def staff_remove(*, store: Store, actor: User, membership_id: int) -> None:
    require_role(store=store, user=actor, role=Role.OWNER)
    m = StoreMembership.objects.select_for_update().filter(store=store, pk=membership_id).first()
    if m is None:
        from kkot.core.errors import NotFound

        raise NotFound(_("직원을 찾을 수 없습니다."))
    if m.role == Role.OWNER and _owner_count(store) <= 1:
        raise ValidationError(_("대표는 최소 한 명 있어야 합니다."), code="last_owner")
    m.delete()


def _owner_count(store: Store) -> int:
    return StoreMembership.objects.filter(store=store, role=Role.OWNER).count()


@transaction.atomic
def store_follow(*, store: Store, user: User) -> bool:
    """Follow (단골). Returns True if newly followed. Idempotent under races (unique constraint)."""
    try:
        with transaction.atomic():
            StoreFollow.objects.create(store=store, user=user)
    except IntegrityError:
        return False
    Store.objects.filter(pk=store.pk).update(follower_count=F("follower_count") + 1)
    return True


@transaction.atomic
def store_unfollow(*, store: Store, user: User) -> bool:
    deleted, _n = StoreFollow.objects.filter(store=store, user=user).delete()
    if deleted:
        Store.objects.filter(pk=store.pk, follower_count__gt=0).update(follower_count=F("follower_count") - 1)
    return bool(deleted)


@transaction.atomic
def banner_save(*, store: Store, actor: User, banner_id: int | None = None, **fields: Any) -> StoreBanner:
    require_role(store=store, user=actor, role=Role.MANAGER)
    banner = StoreBanner.objects.filter(store=store, pk=banner_id).first() if banner_id else StoreBanner(store=store)
    if banner_id and banner is None:
        from kkot.core.errors import NotFound

        raise NotFound(_("배너를 찾을 수 없습니다."))
    for k in ("title", "subtitle", "link_url", "color", "position", "is_active"):
        if k in fields:
            setattr(banner, k, fields[k])
    try:
        banner.full_clean(exclude=["image", "store"])
    except DjangoValidationError as exc:
        _raise_from_django(exc)
    banner.save()
    return banner
