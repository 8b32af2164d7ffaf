"""Self-service blocking of one's own intimate images (``rostra.web.views.protect``).

Included by ``rostra.web.urls`` inside the ``web`` namespace, so the names are
``web:protect``, ``web:protect_submit`` and ``web:protect_withdraw``."""

from django.urls import path

from rostra.web.views import protect

urlpatterns = [
    path("protect", protect.protect, name="protect"),
    path("protect/submit", protect.submit, name="protect_submit"),
    path("protect/withdraw", protect.withdraw, name="protect_withdraw"),
]
