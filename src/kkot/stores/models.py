from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField
from kkot.core.validators import validate_brn, validate_mail_order_no

SLUG_VALIDATOR = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{1,38}[a-z0-9])$",
    _("스토어 주소는 영문 소문자, 숫자, 하이픈(-)으로 3~40자입니다."),
    code="invalid_slug",
)
RESERVED_SLUGS = {
    "admin", "api", "seller", "sellercenter", "static", "media", "accounts", "search", "login", "logout",
    "signup", "cart", "checkout", "orders", "kkot", "help", "www", "s", "p", "c", "e", "events",
    "open",  # /seller/open/ (판매자 시작하기)
}


class Store(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("운영중")
        PAUSED = "paused", _("휴점")
        CLOSED = "closed", _("폐점")

    class Grade(models.TextChoices):
        SEED = "seed", _("씨앗")
        SPROUT = "sprout", _("새싹")
        BUD = "bud", _("꽃봉오리")
        BLOOM = "bloom", _("꽃")
        BIG = "big", _("빅파워")

    slug = models.SlugField(_("스토어 주소"), max_length=40, unique=True, validators=[SLUG_VALIDATOR])
    name = models.CharField(_("스토어 이름"), max_length=60)
    description = models.TextField(_("소개"), blank=True, max_length=2000)
    logo = models.ImageField(_("로고"), upload_to="stores/logos/", blank=True)
    status = models.CharField(_("상태"), max_length=10, choices=Status.choices, default=Status.OPEN)
    grade = models.CharField(_("등급"), max_length=10, choices=Grade.choices, default=Grade.SEED)
    currency = models.CharField(max_length=3, default="KRW")

    # 사업자 정보 (전자상거래법 표시 의무)
    business_name = models.CharField(_("상호"), max_length=80)
    representative = models.CharField(_("대표자"), max_length=40)
    business_reg_no = models.CharField(_("사업자등록번호"), max_length=12, validators=[validate_brn])
    mail_order_no = models.CharField(
        _("통신판매업 신고번호"), max_length=40, blank=True, validators=[validate_mail_order_no]
    )
    contact_phone = models.CharField(_("고객센터 전화"), max_length=20)
    contact_email = models.EmailField(_("고객센터 이메일"))
    return_postcode = models.CharField(_("반품 우편번호"), max_length=5)
    return_address = models.CharField(_("반품 주소"), max_length=200)
    return_address_detail = models.CharField(_("반품 상세주소"), max_length=100, blank=True)

    # 배송비 정책
    shipping_base_fee = MoneyField(_("기본 배송비"), default=3000, validators=[MinValueValidator(0)])
    shipping_free_over = MoneyField(
        _("무료배송 기준금액"), null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("이 금액 이상 구매 시 무료배송. 비우면 항상 배송비를 받습니다."),
    )
    shipping_jeju_surcharge = MoneyField(_("제주 추가배송비"), default=3000, validators=[MinValueValidator(0)])
    shipping_island_surcharge = MoneyField(_("도서산간 추가배송비"), default=5000, validators=[MinValueValidator(0)])
    same_day_cutoff = models.TimeField(_("오늘출발 마감시각"), null=True, blank=True)

    webhook_url = models.URLField(_("주문 웹훅 URL"), blank=True,
                                  help_text=_("주문 상태가 바뀔 때마다 서명된(HMAC-SHA256) JSON을 보냅니다."))
    webhook_secret = models.CharField(_("웹훅 서명 키"), max_length=64, blank=True)

    follower_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("스토어")
        verbose_name_plural = _("스토어")
        constraints = [
            models.CheckConstraint(condition=models.Q(shipping_base_fee__gte=0), name="store_base_fee_nonneg"),
        ]

    def __str__(self) -> str:
        return self.name


class StoreMembership(models.Model):
    """Staff of a store. Owner: everything; manager: products, orders, settings except staff; viewer: read only."""

    class Role(models.TextChoices):
        OWNER = "owner", _("대표")
        MANAGER = "manager", _("매니저")
        VIEWER = "viewer", _("뷰어")

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="store_memberships")
    role = models.CharField(_("역할"), max_length=10, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("스토어 직원")
        verbose_name_plural = _("스토어 직원")
        constraints = [models.UniqueConstraint(fields=["store", "user"], name="uniq_store_member")]

    def __str__(self) -> str:
        return f"{self.store} · {self.user} ({self.get_role_display()})"


class StoreFollow(models.Model):
    """A shopper following a store (단골)."""

    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="follows")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("단골")
        verbose_name_plural = _("단골")
        constraints = [models.UniqueConstraint(fields=["store", "user"], name="uniq_store_follow")]


class StoreBanner(models.Model):
    store = models.ForeignKey(Store, on_delete=models.CASCADE, related_name="banners")
    title = models.CharField(_("제목"), max_length=60)
    subtitle = models.CharField(_("부제"), max_length=120, blank=True)
    image = models.ImageField(_("이미지"), upload_to="stores/banners/", blank=True)
    link_url = models.CharField(_("링크"), max_length=300, blank=True)
    color = models.CharField(_("배경색"), max_length=7, default="#f7d6e0")
    position = models.PositiveSmallIntegerField(default=0)
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = _("배너")
        verbose_name_plural = _("배너")
