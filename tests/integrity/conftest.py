import pytest

from tests import factories


@pytest.fixture
def admin(db):
    """A superuser (who alone decides on researchers' applications)."""
    return factories.make_user("admin_ada", admin=True)
