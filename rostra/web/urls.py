from django.urls import include, path

from rostra.web.views import timelines

app_name = "web"
urlpatterns = [
    path("", timelines.index, name="index"),
    # Log-in, sign-up, password and settings pages live in urls_account.py.
    path("", include("rostra.web.urls_account")),
]
