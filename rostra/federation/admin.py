"""The federation admin pages (Django admin, for staff): domain blocks and the
allow-list, run-time switches, and what we know of remote actors and activities."""

from django.contrib import admin

from rostra.federation.models import (
    DomainAllow,
    DomainBlock,
    FederationSettings,
    InboxActivity,
    RemoteActor,
    RemoteReport,
)


@admin.register(DomainBlock)
class DomainBlockAdmin(admin.ModelAdmin):
    list_display = ("domain", "severity", "reject_media", "reject_reports", "created_at")
    list_filter = ("severity", "reject_media", "reject_reports")
    search_fields = ("domain",)


@admin.register(DomainAllow)
class DomainAllowAdmin(admin.ModelAdmin):
    list_display = ("domain", "created_at")
    search_fields = ("domain",)


@admin.register(FederationSettings)
class FederationSettingsAdmin(admin.ModelAdmin):
    list_display = ("pk", "authorized_fetch", "allowlist_mode")


@admin.register(RemoteActor)
class RemoteActorAdmin(admin.ModelAdmin):
    list_display = ("account", "actor_type", "key_id", "fetched_at")
    search_fields = ("account__username", "account__domain", "key_id")
    raw_id_fields = ("account",)


@admin.register(InboxActivity)
class InboxActivityAdmin(admin.ModelAdmin):
    list_display = ("activity_id", "type", "actor_uri", "status", "received_at")
    list_filter = ("status", "type")
    search_fields = ("activity_id", "actor_uri")


@admin.register(RemoteReport)
class RemoteReportAdmin(admin.ModelAdmin):
    list_display = ("reporter_uri", "target_account", "created_at")
    raw_id_fields = ("reporter", "target_account", "posts")
    search_fields = ("reporter_uri", "content")
