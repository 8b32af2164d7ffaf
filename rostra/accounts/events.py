"""Domain events of accounts; notifications (and later federation) subscribe."""

from django.dispatch import Signal

followed = Signal()  # sender=Follow, follow=Follow
follow_requested = Signal()  # request=FollowRequest
follow_request_accepted = Signal()  # follow=Follow
follow_request_rejected = Signal()  # request=FollowRequest (deleted)
unfollowed = Signal()  # account=Account, target=Account
follower_removed = Signal()  # account=Account (followed), follower=Account, follow_uri=str
blocked = Signal()  # block=Block
unblocked = Signal()  # account=Account, target=Account
profile_updated = Signal()  # account=Account
account_deleted = Signal()  # account=Account (closed by its owner; its data goes next)
domain_blocked = Signal()  # account=Account, domain=str (normalised; see domain_blocks)
account_sanctioned = Signal()  # account=Account, before=dict (the values a measure replaced)
# account=Account (local or remote), target=Account: the account moved its followers to
# ``target`` (portability.move; federation tells a local account's followers' servers)
account_moved = Signal()
