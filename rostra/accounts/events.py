"""Domain events of accounts; notifications (and later federation) subscribe."""

from django.dispatch import Signal

followed = Signal()  # sender=Follow, follow=Follow
follow_requested = Signal()  # request=FollowRequest
follow_request_accepted = Signal()  # follow=Follow
unfollowed = Signal()  # account=Account, target=Account
blocked = Signal()  # block=Block
profile_updated = Signal()  # account=Account
