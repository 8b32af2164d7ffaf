"""The public forms (notice, image blocking, researchers' access) answer in the
visitor's browser language, with no account and no catalogue needed to render."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["web:protect", "web:protect_withdraw", "web:notice_new",
                                  "web:research"])
def test_public_form_speaks_the_browser_language(client, name):
    page = client.get(reverse(name), HTTP_ACCEPT_LANGUAGE="de")
    assert page.status_code == 200
    assert page["Content-Language"] == "de"
    assert '<html lang="de"' in page.content.decode()
