"""Domain events of accounts; notifications (and later federation) subscribe."""

from django.dispatch import Signal

followed = Signal()  # sender=Follow, follow=Follow
follow_requested = Signal()  # request=FollowRequest
follow_request_accepted = Signal()  # follow=Follow
follow_request_rejected = Signal()  # request=FollowRequest (deleted)
unfollowed = Signal()  # account=Account, target=Account
blocked = Signal()  # block=Block
unblocked = Signal()  # account=Account, target=Account
profile_updated = Signal()  # account=Account
