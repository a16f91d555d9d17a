"""Store reads. Seller-facing lookups always go through a membership: a non-member gets 404, not 403,
so another store's existence is not revealed."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from kkot.accounts.models import User
from kkot.core.errors import NotFound
from kkot.stores.models import Store, StoreFollow, StoreMembership


def membership_get(*, user: User, slug: str) -> StoreMembership:
    if not (user and user.is_authenticated):
        raise NotFound(_("스토어를 찾을 수 없습니다."))
    m = StoreMembership.objects.select_related("store").filter(user=user, store__slug=slug).first()
    if m is None:
        raise NotFound(_("스토어를 찾을 수 없습니다."))
    return m


def memberships_for_user(*, user: User) -> QuerySet[StoreMembership]:
    return StoreMembership.objects.select_related("store").filter(user=user).order_by("store__name")


def store_public_get(*, slug: str) -> Store:
    store = Store.objects.filter(slug=slug, status=Store.Status.OPEN).first()
    if store is None:
        raise NotFound(_("스토어를 찾을 수 없습니다."))
    return store


def store_staff(*, store: Store) -> QuerySet[StoreMembership]:
    return StoreMembership.objects.select_related("user").filter(store=store).order_by("-role", "created_at")


def is_following(*, store: Store, user: User) -> bool:
    return bool(user and user.is_authenticated and StoreFollow.objects.filter(store=store, user=user).exists())


def followed_stores(*, user: User) -> QuerySet[Store]:
    return Store.objects.filter(follows__user=user).order_by("-follows__created_at")


def store_slug_available(*, slug: str) -> tuple[bool, str]:
    """Whether a new store may take ``slug``, with a Korean reason when not (live hint on the open form)."""
    from django.core.exceptions import ValidationError as DjangoValidationError

    from kkot.stores.models import RESERVED_SLUGS, SLUG_VALIDATOR

    slug = (slug or "").strip().lower()
    try:
        SLUG_VALIDATOR(slug)
    except DjangoValidationError as exc:
        return False, str(exc.messages[0])
    if slug in RESERVED_SLUGS:
        return False, _("사용할 수 없는 스토어 주소입니다.")
    if Store.objects.filter(slug=slug).exists():
        return False, _("이미 사용 중인 스토어 주소입니다.")
    return True, _("사용할 수 있는 주소입니다.")
