from __future__ import annotations

from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kkot.core.money import MoneyField

MAX_TAGS = 10


class AttributeDefinition(models.Model):
    """A typed product attribute (소재, 색상, 계절, 핏, 패턴, 원산지, 세탁방법 ...)."""

    class Kind(models.TextChoices):
        CHOICE = "choice", _("단일 선택")
        MULTI = "multi", _("복수 선택")
        TEXT = "text", _("텍스트")

    code = models.SlugField(max_length=30, unique=True)
    name = models.CharField(_("이름"), max_length=30)
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.CHOICE)
    choices = models.JSONField(default=list, blank=True)
    filterable = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("속성")
        verbose_name_plural = _("속성")

    def __str__(self) -> str:
        return self.name


class Category(models.Model):
    """A node of the 3-level Korean category tree. Attributes and notice group inherit downward."""

    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    name = models.CharField(_("이름"), max_length=40)
    slug = models.SlugField(max_length=60, unique=True)
    level = models.PositiveSmallIntegerField(default=1)
    path = models.CharField(max_length=200, db_index=True, help_text="/-joined ids from the root, e.g. 1/5/23/")
    position = models.PositiveSmallIntegerField(default=0)
    attributes = models.ManyToManyField(AttributeDefinition, blank=True, related_name="categories")
    notice_group = models.CharField(
        _("상품정보제공고시 품목"), max_length=30, blank=True, help_text=_("비우면 상위 카테고리를 따릅니다.")
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering = ["path", "position"]
        verbose_name = _("카테고리")
        verbose_name_plural = _("카테고리")
        constraints = [
            models.UniqueConstraint(fields=["parent", "name"], name="uniq_category_name_in_parent"),
            models.CheckConstraint(condition=Q(level__gte=1, level__lte=3), name="category_level_1_3"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return [int(x) for x in self.path.strip("/").split("/") if x]


class Tag(models.Model):
    name = models.CharField(max_length=30, unique=True)

    class Meta:
        verbose_name = _("태그")
        verbose_name_plural = _("태그")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    class Status(models.TextChoices):
        ON_SALE = "on_sale", _("판매중")
        SOLD_OUT = "sold_out", _("품절")
        SUSPENDED = "suspended", _("판매중지")
        HIDDEN = "hidden", _("숨김")

    store = models.ForeignKey("stores.Store", on_delete=models.CASCADE, related_name="products")
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="products")
    code = models.CharField(
        _("판매자 상품코드"), max_length=40, help_text=_("대량등록에서 상품을 구분하는 코드입니다(스토어 안에서 고유).")
    )
    name = models.CharField(_("상품명"), max_length=100)
    description_html = models.TextField(_("상세설명"), blank=True)
    price = MoneyField(_("판매가"), validators=[MinValueValidator(0)])
    sale_price = MoneyField(_("할인가"), null=True, blank=True, validators=[MinValueValidator(0)])
    sale_starts_at = models.DateTimeField(_("할인 시작"), null=True, blank=True)
    sale_ends_at = models.DateTimeField(_("할인 종료"), null=True, blank=True)
    status = models.CharField(_("판매상태"), max_length=12, choices=Status.choices, default=Status.ON_SALE)
    brand = models.CharField(_("브랜드"), max_length=40, blank=True)
    attributes = models.JSONField(_("속성"), default=dict, blank=True)
    notice = models.JSONField(_("상품정보제공고시"), default=dict, blank=True)
    tags = models.ManyToManyField(Tag, blank=True, related_name="products")

    # 배송
    shipping_fee = MoneyField(
        _("개별 배송비"), null=True, blank=True, validators=[MinValueValidator(0)],
        help_text=_("비우면 스토어 배송비 정책을 따릅니다."),
    )
    bundle_shipping = models.BooleanField(_("묶음배송"), default=True)
    dispatch_days = models.PositiveSmallIntegerField(_("출고 소요일"), default=2)
    made_to_order = models.BooleanField(_("주문제작"), default=False)
    cold_chain = models.BooleanField(_("냉장/냉동"), default=False)

    # Denormalised counters (F() updates only).
    view_count = models.PositiveIntegerField(default=0)
    sales_count = models.PositiveIntegerField(default=0)
    review_count = models.PositiveIntegerField(default=0)
    rating_sum = models.PositiveIntegerField(default=0)
    stock_total = models.IntegerField(default=0)
    popularity = models.FloatField(default=0.0, help_text="ranking score recomputed by a task")

    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("상품")
        verbose_name_plural = _("상품")
        constraints = [
            models.UniqueConstraint(fields=["store", "code"], name="uniq_product_code_in_store"),
            models.CheckConstraint(condition=Q(price__gte=0), name="product_price_nonneg"),
            models.CheckConstraint(
                condition=Q(sale_price__isnull=True) | Q(sale_price__lt=F("price"), sale_price__gte=0),
                name="product_sale_below_price",
            ),
            models.CheckConstraint(
                condition=Q(sale_starts_at__isnull=True) | Q(sale_ends_at__isnull=True)
                | Q(sale_ends_at__gt=F("sale_starts_at")),
                name="product_sale_period_order",
            ),
        ]
        indexes = [
            models.Index(fields=["store", "status", "-created_at"]),
            models.Index(fields=["category", "status"]),
            models.Index(fields=["status", "-popularity"]),
        ]

    def __str__(self) -> str:
        return self.name

    def sale_active(self, at=None) -> bool:
        if self.sale_price is None:
            return False
        at = at or timezone.now()
        if self.sale_starts_at and at < self.sale_starts_at:
            return False
        return not (self.sale_ends_at and at >= self.sale_ends_at)

    def current_price(self, at=None):
        return self.sale_price if self.sale_active(at) else self.price

    @property
    def rating_avg(self) -> float:
        return round(self.rating_sum / self.review_count, 1) if self.review_count else 0.0

    @property
    def is_visible(self) -> bool:
        return self.status in (self.Status.ON_SALE, self.Status.SOLD_OUT)


class ProductOption(models.Model):
    """An option axis such as 색상 or 사이즈 with its ordered values."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="options")
    name = models.CharField(_("옵션명"), max_length=20)
    values = models.JSONField(default=list)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.UniqueConstraint(fields=["product", "name"], name="uniq_option_name")]


class CurrentVariantManager(models.Manager):
    """Variants still in the product's option grid. A combination removed from the grid after it was ordered
    is *retired* (kept for the order history, hidden everywhere else)."""

    def get_queryset(self):
        return super().get_queryset().filter(retired_at__isnull=True)


class Variant(models.Model):
    """One purchasable combination of option values, with its own stock, SKU and price delta."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=60)
    option_values = models.JSONField(default=dict, help_text='{"색상": "블랙", "사이즈": "M"}')
    label = models.CharField(max_length=120, blank=True, help_text="블랙 / M")
    price_delta = MoneyField(_("추가금액"), default=0)
    stock = models.IntegerField(_("재고"), default=0)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    retired_at = models.DateTimeField(null=True, blank=True)

    objects = CurrentVariantManager()
    all_objects = models.Manager()  # noqa: DJ012 - a second manager, not a field

    class Meta:
        ordering = ["position", "id"]
        base_manager_name = "all_objects"
        constraints = [
            models.UniqueConstraint(fields=["product", "sku"], name="uniq_variant_sku"),
            models.UniqueConstraint(fields=["product", "label"], name="uniq_variant_label"),
            models.CheckConstraint(condition=Q(stock__gte=0), name="variant_stock_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.product.name} {self.label}".strip()


class ProductImage(models.Model):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="images")
    image = models.ImageField(upload_to="products/%Y/%m/")
    thumbnail = models.ImageField(upload_to="products/thumbs/%Y/%m/")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64, db_index=True)
    position = models.PositiveSmallIntegerField(default=0, help_text="0 = representative")
    alt = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "id"]


class ProductAttributeValue(models.Model):
    """One (attribute, value) pair of a product, denormalised from ``Product.attributes`` for filters and facets."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="attribute_values")
    code = models.CharField(max_length=30)
    value = models.CharField(max_length=100)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["product", "code", "value"], name="uniq_product_attr_value")]
        indexes = [models.Index(fields=["code", "value"])]
