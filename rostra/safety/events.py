"""Domain events of safety (sent after commit); moderation subscribes to rescan
stored media when a hash list changes."""

from django.dispatch import Signal

# hash_list=HashList, entries=list[HashEntry] (None for a large import: then added_at=)
hashes_added = Signal()
hashes_withdrawn = Signal()  # hash_list=HashList, entries=list[HashEntry]
