"""Forms of the account pages: sign-up, log-in, two-factor, profile and settings.

Forms only parse and check the shape of input; the rules (reserved names,
password strength, image checks, ...) live in ``rostra.accounts.services`` and
their ``AccountError`` messages are attached to the field they name.
"""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from rostra.accounts.errors import AccountError
from rostra.accounts.models import SiteSettings
from rostra.accounts.services import (
    MAX_BIO,
    MAX_DISPLAY_NAME,
    MAX_PROFILE_FIELDS,
    validate_username,
)
from rostra.core import i18n

VISIBILITY_CHOICES = [
    ("public", _("Public — anyone can see it, it appears in public timelines")),
    ("unlisted", _("Unlisted — anyone can see it, kept out of public timelines")),
    ("private", _("Followers only")),
    ("direct", _("Mentioned people only")),
]
INVITE_MAX_USES = [("", _("No limit")), ("1", _("1 use")), ("5", _("5 uses")),
                   ("10", _("10 uses")), ("25", _("25 uses")), ("100", _("100 uses"))]
INVITE_EXPIRY = [("", _("Never")), ("1800", _("30 minutes")), ("3600", _("1 hour")),
                 ("21600", _("6 hours")), ("86400", _("1 day")), ("604800", _("1 week"))]


def bound_data(request):
    """The POST data when the form was sent (even empty), else None (an unbound form)."""
    return request.POST if request.method == "POST" else None


class AccessibleForm(forms.Form):
    """Marks fields with errors ``aria-invalid`` and points them at their messages."""

    def full_clean(self):
        super().full_clean()
        self.mark_invalid()

    def mark_invalid(self):
        for name in self.errors:
            if name not in self.fields:
                continue
            bound = self[name]
            attrs = self.fields[name].widget.attrs
            ids = [f"{bound.auto_id}_error"]
            if self.fields[name].help_text:
                ids.insert(0, f"{bound.auto_id}_helptext")
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = " ".join(ids)

    #: service field names that this form calls differently
    field_aliases: dict[str, str] = {}

    def add_account_error(self, error: AccountError, default_field: str | None = None):
        """Show a service error next to its field (or above the form)."""
        field = self.field_aliases.get(error.field or "", error.field)
        field = field if field in self.fields else default_field
        self.add_error(field, str(error))
        self.mark_invalid()


class SignupForm(AccessibleForm):
    field_aliases = {"password": "password1"}

    username = forms.CharField(
        label=_("Username"), max_length=30,
        help_text=_("Letters, digits and underscores. This is your @name; it cannot change."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        help_text=_("Used for password resets. It is never shown to others."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"), strip=False,
        help_text=_("At least 8 characters; not a common or all-numeric password."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    reason = forms.CharField(
        label=_("Why do you want to join?"), required=False, max_length=1000,
        help_text=_("The moderators read this before approving your account."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    agreement = forms.BooleanField(
        label=_("I have read and accept the server rules"),
        error_messages={"required": _("You need to accept the server rules to join.")},
    )

    def __init__(self, *args, ask_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if ask_reason:
            self.fields["reason"].required = True
            self.fields["reason"].error_messages["required"] = _(
                "Tell the moderators a little about why you want to join."
            )
        else:
            del self.fields["reason"]

    def clean_username(self):
        # The same check register() makes, early, so the message shows with the others.
        try:
            return validate_username(self.cleaned_data["username"])
        except AccountError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean(self):
        data = super().clean()
        if data.get("password1") and data.get("password2") and (
            data["password1"] != data["password2"]
        ):
            self.add_error("password2", _("The two passwords are not the same."))
        return data


class LoginForm(AccessibleForm):
    login = forms.CharField(
        label=_("Username or e-mail address"), max_length=254,
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none",
                                      "spellcheck": "false", "autofocus": True}),
    )
    password = forms.CharField(
        label=_("Password"), strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )


class TwoFactorCodeForm(AccessibleForm):
    code = forms.CharField(
        label=_("6-digit code"), max_length=12,
        help_text=_("Open your authenticator app and type the code shown for this server."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric",
                                      "pattern": r"[0-9 \-]*", "autofocus": True}),
    )


class TwoFactorDisableForm(AccessibleForm):
    code = forms.CharField(
        label=_("6-digit code"), max_length=12, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    password = forms.CharField(
        label=_("or your password"), required=False, strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def clean(self):
        data = super().clean()
        if not data.get("code") and not data.get("password"):
            raise forms.ValidationError(_("Enter a current code or your password."))
        return data


class ProfileForm(AccessibleForm):
    display_name = forms.CharField(
        label=_("Display name"), max_length=MAX_DISPLAY_NAME, required=False,
        help_text="",  # set in __init__, in the language of the request
    )
    note = forms.CharField(
        label=_("Bio"), max_length=MAX_BIO, required=False,
        help_text="",  # set in __init__, in the language of the request
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    avatar = forms.FileField(
        label=_("Avatar"), required=False,
        help_text=_("JPEG, PNG, GIF or WebP; scaled down to 400×400."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    header = forms.FileField(
        label=_("Header image"), required=False,
        help_text=_("JPEG, PNG, GIF or WebP; scaled down to 1500 pixels wide."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/*"}),
    )
    locked = forms.BooleanField(
        label=_("Approve followers manually"), required=False,
        help_text=_("New followers ask first; you accept or reject them."),
    )
    bot = forms.BooleanField(
        label=_("This is a bot account"), required=False,
        help_text=_("It acts automatically and people may not watch its replies."),
    )
    discoverable = forms.BooleanField(
        label=_("Suggest my account to others and list it in the directory"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].help_text = gettext(
            "Up to %(count)s characters; shown instead of your @name."
        ) % {"count": MAX_DISPLAY_NAME}
        self.fields["note"].help_text = gettext(
            "Up to %(count)s characters. Links, @mentions and #hashtags work."
        ) % {"count": MAX_BIO}
        for i in range(MAX_PROFILE_FIELDS):
            self.fields[f"field_{i}_name"] = forms.CharField(
                label=gettext("Link %(number)s label") % {"number": i + 1},
                max_length=255, required=False,
            )
            self.fields[f"field_{i}_value"] = forms.CharField(
                label=gettext("Link %(number)s content") % {"number": i + 1},
                max_length=255, required=False,
            )

    @staticmethod
    def initial_for(account) -> dict:
        initial = {
            "display_name": account.display_name,
            "note": account.note,
            "locked": account.locked,
            "bot": account.bot,
            "discoverable": account.discoverable,
        }
        for i, pair in enumerate((account.fields or [])[:MAX_PROFILE_FIELDS]):
            initial[f"field_{i}_name"] = pair.get("name", "")
            initial[f"field_{i}_value"] = pair.get("value", "")
        return initial

    def link_rows(self):
        return [(self[f"field_{i}_name"], self[f"field_{i}_value"])
                for i in range(MAX_PROFILE_FIELDS)]

    def profile_fields(self) -> list[dict[str, str]]:
        return [
            {"name": self.cleaned_data.get(f"field_{i}_name", ""),
             "value": self.cleaned_data.get(f"field_{i}_value", "")}
            for i in range(MAX_PROFILE_FIELDS)
        ]


class PreferencesForm(AccessibleForm):
    default_visibility = forms.ChoiceField(
        label=_("Default post visibility"), choices=VISIBILITY_CHOICES,
        widget=forms.RadioSelect,
    )
    default_sensitive = forms.BooleanField(
        label=_("Mark my media as sensitive by default"), required=False,
        help_text=_("Images are hidden behind a warning until a reader chooses to see them."),
    )
    locale = forms.ChoiceField(
        label=_("Language of the interface"), required=False,
        # each language is named in itself, so anyone finds their own in any interface
        choices=lambda: [("", _("Same as my browser")), *i18n.choices()],
        help_text=_("The language of menus, buttons and messages. With “Same as my "
                    "browser”, the languages set in your browser decide."),
        error_messages={"invalid_choice": _("Choose one of the listed languages.")},
    )


class PasswordConfirmedForm(AccessibleForm):
    """A form for a grave step (closing, moving an account) that asks for the
    password again; the view passes ``user=``."""

    password = forms.CharField(label=_("Your password"), strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete":
                                                                 "current-password"}))

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if self.user is None or not self.user.check_password(password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class DeleteAccountForm(PasswordConfirmedForm):
    """Closing an account asks for the password again, and for a deliberate tick."""

    confirm = forms.BooleanField(
        label=_("I understand that my posts, media and followers are removed for good"),
        required=True)


class InviteForm(AccessibleForm):
    max_uses = forms.TypedChoiceField(
        label=_("How many people may use it"), choices=INVITE_MAX_USES, required=False,
        coerce=int, empty_value=None,
    )
    expires_in = forms.TypedChoiceField(
        label=_("Expires after"), choices=INVITE_EXPIRY, required=False,
        coerce=int, empty_value=None,
    )


class SiteSettingsForm(AccessibleForm):
    registration_mode = forms.ChoiceField(
        label=_("Who can sign up"),
        choices=[
            ("open", _("Anyone can sign up")),
            ("approval", _("Anyone can ask; staff approve each account")),
            ("closed", _("Nobody, except with an invite")),
        ],
        widget=forms.RadioSelect,
    )
    title = forms.CharField(label=_("Server name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Shown on the front page and in the server's public information."),
    )
    rules = forms.CharField(
        label=_("Server rules"), required=False, widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("One rule per line. New members must accept them to sign up."),
    )

    @staticmethod
    def initial_for(site: SiteSettings) -> dict:
        return {
            "registration_mode": site.registration_mode or "open",
            "title": site.title,
            "description": site.description,
            "rules": site.rules,
        }
