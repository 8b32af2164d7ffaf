from django.apps import AppConfig


class FederationConfig(AppConfig):
    name = "rostra.federation"
    label = "federation"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from rostra.core import worker
        from rostra.federation import delivery, hash_feeds, outbox_events, policy
        from rostra.timelines.services import register_public_filter

        outbox_events.connect()
        register_public_filter(policy.without_silenced)
        # Deliveries a killed worker left pending are picked up when a worker starts.
        worker.on_start(delivery.start_sweeping)
        # A dead worker's batches run again at once, their leases released.
        worker.on_reclaim(delivery.release_leases)
        # Subscribed hash feeds (image-abuse shield) are pulled every few minutes.
        worker.on_start(hash_feeds.start_pulling)
