"""Django admin for staff: posts, their media and polls (look-up and repair)."""

from django.contrib import admin

from rostra.posts.models import Media, Poll, Post


class MediaInline(admin.TabularInline):
    model = Media
    fields = ("position", "kind", "file", "description", "mime_type", "sha256")
    readonly_fields = ("sha256",)
    extra = 0
    show_change_link = True


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "short_text", "visibility", "source", "sensitive",
                    "published")
    list_filter = ("visibility", "source", "sensitive", "language")
    search_fields = ("id", "text", "account__username", "account__domain", "uri")
    raw_id_fields = ("account", "in_reply_to", "in_reply_to_account", "thread_root", "reblog_of")
    date_hierarchy = "published"
    inlines = [MediaInline]

    @admin.display(description="text")
    def short_text(self, obj):
        return (obj.text or obj.spoiler_text or "")[:80]


@admin.register(Media)
class MediaAdmin(admin.ModelAdmin):
    list_display = ("id", "account", "post", "kind", "mime_type", "width", "height", "created_at")
    list_filter = ("kind", "mime_type")
    search_fields = ("id", "sha256", "md5", "description", "account__username")
    raw_id_fields = ("account", "post")
    readonly_fields = ("sha256", "md5", "blurhash")


@admin.register(Poll)
class PollAdmin(admin.ModelAdmin):
    list_display = ("id", "post", "multiple", "expires_at", "closed")
    list_filter = ("multiple", "closed")
    search_fields = ("post__id", "post__text")
    raw_id_fields = ("post",)
