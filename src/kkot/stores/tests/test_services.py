import pytest

from kkot.core.errors import Conflict, NotFound, PermissionDenied, ValidationError
from kkot.core.testing import make_store, make_user, store_fields
from kkot.stores.models import Store, StoreMembership
from kkot.stores.selectors import membership_get
from kkot.stores.services import staff_add, staff_remove, store_create, store_follow, store_unfollow

pytestmark = pytest.mark.django_db


def test_open_store_makes_creator_owner():
    owner = make_user()
    store = store_create(owner=owner, slug="my-shop", name="마이샵", **store_fields())
    assert store.memberships.get().role == StoreMembership.Role.OWNER
    assert store.business_reg_no == "220-81-62517"


@pytest.mark.parametrize(
    "slug,overrides,code",
    [
        ("admin", {}, "slug_reserved"),
        ("Bad Slug!", {}, "invalid"),
        ("okslug", {"business_reg_no": "123-45-67890"}, "invalid"),
        ("okslug", {"mail_order_no": "제123호"}, "invalid"),
    ],
)
def test_bad_store_input_is_refused(slug, overrides, code):
    with pytest.raises(ValidationError) as exc:
        store_create(owner=make_user(), slug=slug, name="샵", **store_fields(**overrides))
    assert exc.value.code == code
    assert Store.objects.count() == 0


def test_duplicate_slug_is_a_clear_error():
    make_store(slug="taken")
    with pytest.raises((ValidationError, Conflict)) as exc:
        make_store(slug="taken")
    assert exc.value.code == "slug_taken"


def test_staff_roles_and_last_owner_protection():
    store = make_store()
    owner = store.memberships.get().user
    manager = make_user()
    m = staff_add(store=store, actor=owner, email=manager.email, role="manager")
    with pytest.raises(PermissionDenied):
        staff_add(store=store, actor=manager, email=make_user().email, role="viewer")
    with pytest.raises(ValidationError) as exc:
        staff_remove(store=store, actor=owner, membership_id=store.memberships.get(user=owner).pk)
    assert exc.value.code == "last_owner"
    staff_remove(store=store, actor=owner, membership_id=m.pk)
    with pytest.raises(NotFound):
        membership_get(user=manager, slug=store.slug)


def test_follow_is_idempotent_and_counts():
    store, user = make_store(), make_user()
    assert store_follow(store=store, user=user) is True
    assert store_follow(store=store, user=user) is False
    store.refresh_from_db()
    assert store.follower_count == 1
    assert store_unfollow(store=store, user=user) is True
    store.refresh_from_db()
    assert store.follower_count == 0
