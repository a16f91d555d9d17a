from django.contrib import admin

from kkot.assist.models import AssistSettings, ImageAnalysis, ImageCheck, Suggestion


@admin.register(Suggestion)
class SuggestionAdmin(admin.ModelAdmin):
    list_display = (
        "product",
        "kind",
        "value",
        "score",
        "decision",
        "decided_by",
        "decided_at",
        "model_version",
    )
    list_filter = ("kind", "decision")
    raw_id_fields = ("store", "product", "decided_by")


@admin.register(ImageAnalysis)
class ImageAnalysisAdmin(admin.ModelAdmin):
    list_display = ("image", "product", "state", "overall", "model_version", "analysed_at")
    list_filter = ("state", "overall")
    raw_id_fields = ("image", "product", "store")
    exclude = ("embedding", "signature")


@admin.register(ImageCheck)
class ImageCheckAdmin(admin.ModelAdmin):
    list_display = ("analysis", "code", "status", "value", "message")
    list_filter = ("code", "status")
    raw_id_fields = ("analysis", "store")


admin.site.register(AssistSettings)
