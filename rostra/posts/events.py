"""Domain events of posts. Sent after the transaction commits; notifications
(and later federation and streaming) subscribe."""

from django.dispatch import Signal

post_created = Signal()  # post=Post
post_updated = Signal()  # post=Post
post_deleted = Signal()  # post_id=int, account=Account, uri=str
post_favourited = Signal()  # favourite=Favourite
post_unfavourited = Signal()  # account=Account, post=Post
post_reblogged = Signal()  # reblog=Post (the boost)
poll_ended = Signal()  # poll=Poll
poll_voted = Signal()  # poll=Poll, account=Account, choices=list[int]
post_pinned = Signal()  # account=Account, post=Post
post_unpinned = Signal()  # account=Account, post=Post
post_removed = Signal()  # post=Post (moderators removed it or disabled access; kept)
post_restored = Signal()  # post=Post (an appeal or a reversal brought it back)
media_quarantined = Signal()  # media=Media, matches=list[Match], source=str, ip=str
post_released = Signal()  # post=Post (the media gate cleared a held post: now published)
