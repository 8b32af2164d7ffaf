"""The streaming door: Mastodon's ``/api/v1/streaming`` over WebSocket and
Server-Sent Events. The domain side (which streams an event goes to) is
``rostra.streaming.streams``; this package authenticates, names streams,
follows the log (hub.py) and renders each event for its viewer."""
