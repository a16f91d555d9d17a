from django.contrib import admin

from kkot.stores.models import Store, StoreBanner, StoreFollow, StoreMembership


class MembershipInline(admin.TabularInline):
    model = StoreMembership
    extra = 0
    raw_id_fields = ("user",)


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "status", "grade", "business_reg_no", "follower_count", "created_at")
    list_filter = ("status", "grade")
    search_fields = ("name", "slug", "business_name", "business_reg_no")
    inlines = [MembershipInline]


admin.site.register(StoreBanner)
admin.site.register(StoreFollow)
