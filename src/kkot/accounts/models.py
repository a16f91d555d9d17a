from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class KkotUserManager(UserManager):
    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        extra.setdefault("username", email)
        return super().create_user(email=email, password=password, **extra)

    def create_superuser(self, email=None, password=None, **extra):
        email = self.normalize_email(email or extra.get("username", "")).lower()
        extra.setdefault("username", email)
        return super().create_superuser(email=email, password=password, **extra)


class User(AbstractUser):
    """A person: shopper, seller staff, or operator. Login is by e-mail (``username`` mirrors it)."""

    class Gender(models.TextChoices):
        FEMALE = "F", _("여성")
        MALE = "M", _("남성")
        UNDISCLOSED = "U", _("밝히지 않음")

    email = models.EmailField(_("이메일"), unique=True)
    name = models.CharField(_("이름"), max_length=50, blank=True)
    phone = models.CharField(_("휴대폰"), max_length=20, blank=True)
    gender = models.CharField(_("성별"), max_length=1, choices=Gender.choices, default=Gender.UNDISCLOSED)
    birth_year = models.PositiveSmallIntegerField(_("출생연도"), null=True, blank=True)
    marketing_consent = models.BooleanField(_("마케팅 수신 동의"), default=False)
    tracking_opt_out = models.BooleanField(
        _("행동 데이터 수집 거부"), default=False, help_text=_("켜면 이용 기록(조회, 클릭)을 수집하지 않습니다.")
    )

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []
    objects = KkotUserManager()

    class Meta:
        verbose_name = _("회원")
        verbose_name_plural = _("회원")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(birth_year__isnull=True) | models.Q(birth_year__gte=1900, birth_year__lte=2100),
                name="user_birth_year_range",
            )
        ]

    def __str__(self) -> str:
        return self.name or self.email

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]


def _hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A seller API token, bound to one user and one store; only its hash is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("이름"), max_length=60)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API 토큰")
        verbose_name_plural = _("API 토큰")

    @staticmethod
    def new_raw_key() -> str:
        return "kk_" + secrets.token_urlsafe(32)

    @staticmethod
    def hash(raw: str) -> str:
        return _hash_token(raw)
