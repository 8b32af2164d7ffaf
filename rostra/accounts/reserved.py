"""Usernames nobody may register: they would impersonate the server or its staff,
or collide with URL paths."""

RESERVED_USERNAMES = frozenset(
    """
    about abuse account accounts admin administrator api app apps auth autoconfig
    blog bookmarks contact dev docs domain explore favourites feed feeds follow
    followers following help home inbox info instance legal local login logout
    mail media moderator moderators news nodeinfo noreply no-reply notices
    notifications oauth outbox policy postmaster privacy public register report
    reports root rostra rss search security settings setup signup sitemap staff
    static status statuses support system tags terms test timeline timelines
    user users webfinger webmaster well-known www
    """.split()
)
