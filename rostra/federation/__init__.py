"""The ActivityPub door: discovery, actor and object documents, collections,
HTTP signatures and keys. Wire mapping lives here (``serializers/``), never in models."""
