"""The federation rig's loopback server and fake remote, for fetch fuzzing."""

from tests.federation.conftest import http_server, remote, rsa_pair  # noqa: F401 (fixtures)
