import pytest

from tests import factories


@pytest.fixture
def login(client):
    """Log ``client`` in as the given account's user; returns the client."""

    def _login(account):
        client.force_login(account.user)
        return client

    return _login


@pytest.fixture
def png():
    return factories.image_bytes()
