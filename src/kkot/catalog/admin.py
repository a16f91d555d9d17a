"""Operator admin: the category tree (3 levels), attribute definitions, and a read-mostly product view."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kkot.catalog.models import AttributeDefinition, Category, Product, ProductImage, Tag, Variant


@admin.register(AttributeDefinition)
class AttributeDefinitionAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "filterable", "position")
    list_editable = ("filterable", "position")
    search_fields = ("name", "code")


class ChildInline(admin.TabularInline):
    model = Category
    fk_name = "parent"
    fields = ("name", "slug", "position", "notice_group", "is_active")
    extra = 0
    show_change_link = True


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("indented_name", "slug", "level", "notice_group", "is_active", "position")
    list_filter = ("level", "is_active")
    search_fields = ("name", "slug")
    filter_horizontal = ("attributes",)
    readonly_fields = ("level", "path")
    inlines = [ChildInline]

    @admin.display(description=_("이름"), ordering="path")
    def indented_name(self, obj: Category) -> str:
        return ("— " * (obj.level - 1)) + obj.name

    def save_model(self, request, obj, form, change):
        """Keep ``level`` and ``path`` consistent with the parent; refuse a 4th level."""
        from django.core.exceptions import ValidationError

        obj.level = (obj.parent.level + 1) if obj.parent_id else 1
        if obj.level > 3:
            raise ValidationError(_("카테고리는 3단계까지입니다."))
        super().save_model(request, obj, form, change)
        obj.path = (obj.parent.path if obj.parent_id else "") + f"{obj.pk}/"
        obj.save(update_fields=["level", "path"])

    def save_formset(self, request, form, formset, change):
        instances = formset.save(commit=False)
        for child in instances:
            child.parent = form.instance
            child.level = form.instance.level + 1
            child.path = ""
            child.save()
            child.path = f"{form.instance.path}{child.pk}/"
            child.save(update_fields=["path"])
        for obj in formset.deleted_objects:
            obj.delete()


class VariantInline(admin.TabularInline):
    model = Variant
    fields = ("label", "sku", "price_delta", "stock", "is_active")
    readonly_fields = ("label",)
    extra = 0


class ImageInline(admin.TabularInline):
    model = ProductImage
    fields = ("thumbnail", "position", "width", "height")
    readonly_fields = ("thumbnail", "width", "height")
    extra = 0


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    """Operators moderate (status) here; sellers edit products in the seller center, where the rules live."""

    list_display = ("name", "store", "category", "price", "sale_price", "status", "stock_total", "updated_at")
    list_filter = ("status", "store", "category__parent__parent")
    search_fields = ("name", "code", "store__name")
    list_select_related = ("store", "category")
    readonly_fields = ("store", "category", "code", "name", "price", "sale_price", "description_html", "attributes",
                       "notice", "view_count", "sales_count", "review_count", "stock_total", "popularity")
    fields = ("status", *readonly_fields)
    inlines = [VariantInline, ImageInline]


admin.site.register(Tag)
