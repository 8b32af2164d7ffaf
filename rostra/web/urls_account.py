"""Account pages: sign-up, log-in, password, two-factor and settings.

Included inside the ``web`` namespace by ``rostra/web/urls.py`` (no app_name here).
"""

from django.urls import path

from rostra.web.views import auth, deletion, imports
from rostra.web.views import settings as settings_views

urlpatterns = [
    # sign-up and log-in
    path("auth/signup", auth.signup, name="signup"),
    path("invite/<str:code>", auth.signup, name="invite"),
    path("auth/awaiting-approval", auth.awaiting_approval, name="awaiting_approval"),
    path("auth/login", auth.login, name="login"),
    path("auth/login/two-factor", auth.login_two_factor, name="login_two_factor"),
    path("auth/deletion-pending", deletion.deletion_pending, name="deletion_pending"),
    path("auth/logout", auth.LogoutView.as_view(), name="logout"),
    # password reset by e-mail
    path("auth/password-reset", auth.PasswordResetView.as_view(), name="password_reset"),
    path("auth/password-reset/sent", auth.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("auth/reset/<uidb64>/<token>", auth.PasswordResetConfirmView.as_view(),
         name="password_reset_confirm"),
    path("auth/reset/done", auth.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
    # settings
    path("settings/profile", settings_views.profile, name="settings_profile"),
    path("settings/account", settings_views.account, name="settings_account"),
    path("settings/account/delete", settings_views.delete_account, name="delete_account"),
    path("settings/password", settings_views.PasswordChangeView.as_view(),
         name="password_change"),
    path("settings/two-factor", settings_views.two_factor, name="two_factor"),
    path("settings/follow-requests", settings_views.follow_requests, name="follow_requests"),
    path("settings/followers", settings_views.followers, name="settings_followers"),
    path("settings/blocks", settings_views.blocks, name="blocks"),
    path("settings/domain-blocks", settings_views.domain_blocks, name="domain_blocks"),
    path("settings/mutes", settings_views.mutes, name="mutes"),
    path("settings/invites", settings_views.invites, name="invites"),
    path("settings/approvals", settings_views.approvals, name="approvals"),
    path("settings/site", settings_views.site, name="site_settings"),
    # imports (X and Mastodon archives, Mastodon CSV files)
    path("settings/import", imports.import_x, name="import_x"),
    path("settings/import/mastodon", imports.import_mastodon, name="import_mastodon"),
    path("settings/import/csv", imports.import_csv, name="import_csv"),
    path("settings/import/<int:job_id>", imports.import_job, name="import_job"),
]
