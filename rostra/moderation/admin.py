from django.contrib import admin

from rostra.moderation.models import Case, TrustedFlagger


@admin.register(TrustedFlagger)
class TrustedFlaggerAdmin(admin.ModelAdmin):
    list_display = ("name", "email_domain", "active", "created_at")
    filter_horizontal = ("accounts",)


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "category", "source", "priority", "status", "created_at",
                    "due_at")
    list_filter = ("status", "category", "source")
    readonly_fields = ("receipt", "created_at")
