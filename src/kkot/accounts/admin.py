from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from kkot.accounts.models import ApiToken, User


@admin.register(User)
class KkotUserAdmin(UserAdmin):
    list_display = ("email", "name", "gender", "birth_year", "is_staff", "date_joined")
    search_fields = ("email", "name")
    ordering = ("-date_joined",)
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        ("프로필", {"fields": ("name", "phone", "gender", "birth_year", "marketing_consent", "tracking_opt_out")}),
        ("권한", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
    )


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "store", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("key_hash", "prefix")
