from django.conf import settings
from django.contrib import admin
from django.urls import include, path, re_path
from django.views.static import serve

urlpatterns = [
    path("admin/", admin.site.urls),
    # Media from local storage; at scale a reverse proxy or object storage serves them.
    re_path(r"^media/(?P<path>.*)$", serve, {"document_root": settings.MEDIA_ROOT}),
    path("", include("rostra.api.urls")),
    path("", include("rostra.federation.urls")),
    path("", include("rostra.web.urls")),
]
