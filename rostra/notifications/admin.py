"""Django admin for staff: notifications (read-only look-up)."""

from django.contrib import admin

from rostra.notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "type", "from_account", "post", "created_at")
    list_filter = ("type",)
    search_fields = ("account__username", "from_account__username", "from_account__domain")
    raw_id_fields = ("account", "from_account", "post")
    date_hierarchy = "created_at"
