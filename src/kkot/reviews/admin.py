"""Operator moderation: the original text next to the masked one, hiding reviews (stats recomputed)."""

from __future__ import annotations

from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from kkot.reviews.models import ProductQuestion, Review, ReviewModelVersion
from kkot.reviews.services import reviews_set_hidden


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "store",
        "product",
        "stars",
        "kind",
        "sentiment",
        "has_profanity",
        "is_hidden",
        "created_at",
    )
    list_filter = ("has_profanity", "is_hidden", "kind", "stars", "sentiment")
    search_fields = ("text", "product__name")
    raw_id_fields = ("store", "product", "order_line", "user", "variant")
    readonly_fields = (
        "text",
        "text_masked",
        "helpful_count",
        "photo_count",
        "sentiment",
        "created_at",
        "edited_at",
    )
    exclude = ("is_hidden",)
    actions = ("hide", "unhide")

    @admin.action(description=_("선택한 리뷰 숨기기"))
    def hide(self, request, queryset):
        n = reviews_set_hidden(review_ids=list(queryset.values_list("pk", flat=True)), hidden=True)
        self.message_user(request, _("%(n)d개 리뷰를 숨겼습니다.") % {"n": n}, messages.SUCCESS)

    @admin.action(description=_("선택한 리뷰 다시 보이기"))
    def unhide(self, request, queryset):
        n = reviews_set_hidden(review_ids=list(queryset.values_list("pk", flat=True)), hidden=False)
        self.message_user(request, _("%(n)d개 리뷰를 다시 보이게 했습니다.") % {"n": n}, messages.SUCCESS)


@admin.register(ProductQuestion)
class ProductQuestionAdmin(admin.ModelAdmin):
    list_display = ("id", "store", "product", "is_secret", "answered_at", "created_at")
    list_filter = ("is_secret",)
    raw_id_fields = ("store", "product", "user", "answered_by")


@admin.register(ReviewModelVersion)
class ReviewModelVersionAdmin(admin.ModelAdmin):
    list_display = ("store", "category_group", "version", "published", "n_train", "n_test", "created_at")
    list_filter = ("published", "category_group")
    readonly_fields = ("metrics",)
