"""Django admin for staff: accounts, log-ins, invites, site settings and the graph.

The admin is a moderator's tool for looking things up and fixing data by hand;
everyday actions (approving, inviting, settings) have pages in the web UI.
"""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from rostra.accounts import services
from rostra.accounts.models import Account, Block, Follow, Invite, Mute, SiteSettings, User


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    list_display = ("acct", "display_name", "domain", "locked", "bot", "followers_count",
                    "statuses_count", "created_at", "suspended_at")
    list_filter = ("locked", "bot", "discoverable", ("suspended_at", admin.EmptyFieldListFilter),
                   ("domain", admin.EmptyFieldListFilter))
    search_fields = ("username", "display_name", "domain", "uri")
    readonly_fields = ("created_at", "updated_at", "followers_count", "following_count",
                       "statuses_count", "last_status_at")
    exclude = ("private_key",)
    raw_id_fields = ("moved_to",)
    date_hierarchy = "created_at"


@admin.action(description="Approve the selected users")
def approve_users(modeladmin, request, queryset):
    for user in queryset.filter(approved=False):
        services.approve(user)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "approved", "is_staff", "is_active", "date_joined",
                    "last_login")
    list_filter = ("approved", "is_staff", "is_superuser", "is_active")
    search_fields = ("username", "email")
    raw_id_fields = ("account", "invite")
    actions = [approve_users]
    fieldsets = DjangoUserAdmin.fieldsets + (
        ("Rostra", {"fields": ("account", "approved", "registration_reason", "invite",
                               "locale", "default_visibility", "default_sensitive")}),
    )
    readonly_fields = ("registration_reason",)


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    list_display = ("code", "created_by", "uses", "max_uses", "created_at", "expires_at")
    search_fields = ("code", "created_by__username")
    list_filter = (("expires_at", admin.EmptyFieldListFilter),)
    raw_id_fields = ("created_by",)


@admin.register(SiteSettings)
class SiteSettingsAdmin(admin.ModelAdmin):
    list_display = ("title", "registration_mode")

    def has_add_permission(self, request):
        return not SiteSettings.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


class RelationAdmin(admin.ModelAdmin):
    list_display = ("account", "target_account", "created_at")
    search_fields = ("account__username", "account__domain", "target_account__username",
                     "target_account__domain")
    raw_id_fields = ("account", "target_account")
    date_hierarchy = "created_at"


@admin.register(Follow)
class FollowAdmin(RelationAdmin):
    list_display = ("account", "target_account", "show_reblogs", "notify", "created_at")


@admin.register(Block)
class BlockAdmin(RelationAdmin):
    pass


@admin.register(Mute)
class MuteAdmin(RelationAdmin):
    list_display = ("account", "target_account", "hide_notifications", "expires_at", "created_at")
    list_filter = ("hide_notifications",)
