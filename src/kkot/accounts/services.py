"""Account writes: sign-up, profile, privacy choices, API tokens."""

from __future__ import annotations

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kkot.accounts.models import ApiToken, User
from kkot.core.errors import NotFound, ValidationError


@transaction.atomic
def user_signup(
    *, email: str, password: str, name: str = "", gender: str = User.Gender.UNDISCLOSED,
    birth_year: int | None = None, marketing_consent: bool = False,
) -> User:
    email = (email or "").strip().lower()
    errors: dict[str, list[str]] = {}
    try:
        validate_email(email)
    except DjangoValidationError:
        errors["email"] = [_("이메일 주소 형식이 올바르지 않습니다.")]
    if not errors and User.objects.filter(email__iexact=email).exists():
        errors["email"] = [_("이미 가입된 이메일입니다. 로그인해 주세요.")]
    try:
        validate_password(password or "")
    except DjangoValidationError as exc:
        errors["password"] = list(exc.messages)
    if gender not in User.Gender.values:
        errors["gender"] = [_("성별 값이 올바르지 않습니다.")]
    this_year = timezone.localdate().year
    if birth_year is not None and not (1900 <= int(birth_year) <= this_year):
        errors["birth_year"] = [_("출생연도를 확인해 주세요.")]
    if errors:
        raise ValidationError(next(iter(errors.values()))[0], code="invalid_signup", details=errors)
    try:
        with transaction.atomic():
            return User.objects.create_user(
                email=email, password=password, name=(name or "").strip()[:50], gender=gender,
                birth_year=birth_year, marketing_consent=bool(marketing_consent),
            )
    except IntegrityError as exc:
        raise ValidationError(_("이미 가입된 이메일입니다. 로그인해 주세요."), code="invalid_signup",
                              details={"email": [_("이미 가입된 이메일입니다.")]}) from exc


def user_set_tracking_opt_out(*, user: User, opt_out: bool) -> None:
    User.objects.filter(pk=user.pk).update(tracking_opt_out=bool(opt_out))


def api_token_create(*, user: User, store, name: str) -> tuple[ApiToken, str]:
    """Create a token for ``user`` acting on ``store``; the raw key is returned once and never stored.
    The caller must have checked the user's membership of the store (sellercenter / API do)."""
    from kkot.core.errors import PermissionDenied

    if not store.memberships.filter(user=user).exists():
        raise PermissionDenied(_("이 스토어의 직원만 API 토큰을 만들 수 있습니다."))
    raw = ApiToken.new_raw_key()
    token = ApiToken.objects.create(user=user, store=store, name=(name or "API").strip()[:60], prefix=raw[:10],
                                    key_hash=ApiToken.hash(raw))
    return token, raw


def api_token_revoke(*, user: User, store, token_id: int) -> None:
    updated = ApiToken.objects.filter(pk=token_id, store=store, user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    if not updated:
        raise NotFound(_("토큰을 찾을 수 없습니다."))


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The live token for a raw key (user active, store membership still present), or None."""
    if not raw or not raw.startswith("kk_"):
        return None
    token = (
        ApiToken.objects.select_related("user", "store")
        .filter(key_hash=ApiToken.hash(raw), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not token.store.memberships.filter(user=token.user).exists():
        return None
    ApiToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token
