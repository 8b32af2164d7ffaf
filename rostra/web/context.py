"""Template context shared by every page."""

from django.conf import settings


def site(request):
    from rostra.accounts.models import SiteSettings
    from rostra.federation import moderated_servers
    from rostra.notifications.services import unread_count

    account = getattr(request.user, "account", None) if request.user.is_authenticated else None
    return {
        "site": SiteSettings.current(),
        "domain": settings.ROSTRA_DOMAIN,
        "post_max_chars": settings.ROSTRA_POST_MAX_CHARS,
        "me": account,
        "unread_notifications": unread_count(account) if account else 0,
        "moderated_servers_shown": moderated_servers.shown_to(account is not None),
    }
