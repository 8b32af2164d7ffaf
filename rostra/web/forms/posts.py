"""Forms of the web door for writing posts: compose (with images, alt texts and
a poll) and edit. They only parse input; ``views/compose.py`` and
``views/posts.py`` hand the cleaned data to the post services, whose errors
(``PostError.field``) are mapped back onto these fields."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.conf import settings
from django.utils.translation import gettext, gettext_lazy

from rostra.posts.media import MAX_DESCRIPTION
from rostra.posts.models import Visibility

MEDIA_SLOTS = 4
POLL_SLOTS = 4
POLL_DURATIONS = [
    (300, gettext_lazy("5 minutes")),
    (1800, gettext_lazy("30 minutes")),
    (3600, gettext_lazy("1 hour")),
    (21600, gettext_lazy("6 hours")),
    (86400, gettext_lazy("1 day")),
    (259200, gettext_lazy("3 days")),
    (604800, gettext_lazy("7 days")),
]


@dataclass
class MediaSlot:
    """One file slot of the compose form, for the template: its fields, the upload
    kept from an earlier answer (shown instead of a file input) and the alt-text
    request when that file has no description yet."""

    number: int
    file: forms.BoundField
    alt: forms.BoundField
    ai: forms.BoundField
    drop: forms.BoundField
    kept: object = None
    nudge: str = ""


class ComposeForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("What’s on your mind?"),
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    spoiler_text = forms.CharField(
        label=gettext_lazy("Content warning (optional)"), required=False, max_length=500
    )
    visibility = forms.ChoiceField(label=gettext_lazy("Who can see this"),
                                   choices=Visibility.choices)
    sensitive = forms.BooleanField(label=gettext_lazy("Mark images as sensitive"),
                                   required=False)
    poll_duration = forms.TypedChoiceField(
        label=gettext_lazy("Poll length"), choices=POLL_DURATIONS, coerce=int, initial=86400,
        required=False
    )
    poll_multiple = forms.BooleanField(label=gettext_lazy("Allow several choices"),
                                       required=False)
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)
    # The alt-text nudge's way out: send although some files have no description.
    post_without_alt = forms.BooleanField(label=gettext_lazy("Post without descriptions"),
                                          required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kept: dict[int, object] = {}  # slot -> Media stored by an earlier answer
        self.nudged: list[int] = []  # slots whose file still needs a description
        limit = settings.ROSTRA_POST_MAX_CHARS
        self.fields["text"].widget.attrs.update(
            {"data-limit": limit, "aria-describedby": "compose-limit",
             "placeholder": gettext("What’s on your mind?")}
        )
        self.fields["spoiler_text"].widget.attrs["dir"] = "auto"
        self.fields["text"].widget.attrs["dir"] = "auto"  # Arabic or Hebrew reads rightly
        for i in range(1, MEDIA_SLOTS + 1):
            self.fields[f"keep_{i}"] = forms.IntegerField(required=False,
                                                          widget=forms.HiddenInput)
            self.fields[f"drop_{i}"] = forms.BooleanField(
                label=gettext_lazy("Remove this file"), required=False)
            self.fields[f"media_{i}"] = forms.FileField(
                label=gettext("Image or video %(number)s") % {"number": i},
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/*,video/*"}),
            )
            self.fields[f"alt_{i}"] = forms.CharField(
                label=gettext_lazy("Image description (alt text)"),
                required=False,
                max_length=MAX_DESCRIPTION,
                widget=forms.Textarea(attrs={"rows": 2, "dir": "auto"}),
            )
            self.fields[f"ai_{i}"] = forms.BooleanField(
                label=gettext_lazy("This image is AI-generated"), required=False,
                widget=forms.CheckboxInput(attrs={"aria-describedby": f"id_ai_{i}_hint"}),
            )
        for i in range(1, POLL_SLOTS + 1):
            self.fields[f"poll_option_{i}"] = forms.CharField(
                label=gettext("Choice %(number)s") % {"number": i}, required=False,
                max_length=50
            )

    def media_slots(self) -> list[MediaSlot]:
        """Each file slot with its fields, kept upload and alt-text request."""
        slots = []
        for i in range(1, MEDIA_SLOTS + 1):
            kept = self.kept.get(i)
            nudge = ""
            if i in self.nudged:
                nudge = (gettext("Add a description so people using screen readers know "
                                 "what the video shows.")
                         if getattr(kept, "kind", "image") == "video" else
                         gettext("Add a description so people using screen readers know "
                                 "what the image shows."))
                self.fields[f"alt_{i}"].widget.attrs["aria-describedby"] = f"id_alt_{i}_nudge"
            slots.append(MediaSlot(i, self[f"media_{i}"], self[f"alt_{i}"], self[f"ai_{i}"],
                                   self[f"drop_{i}"], kept, nudge))
        return slots

    def kept_ids(self) -> dict[int, int]:
        """Slot -> id of the upload an earlier answer kept (read from the raw data, so
        an invalid answer loses none)."""
        out = {}
        for i in range(1, MEDIA_SLOTS + 1):
            try:
                value = int(self.data.get(f"keep_{i}") or 0)
            except (TypeError, ValueError):
                continue
            if value > 0:
                out[i] = value
        return out

    def slots_without_description(self, stored) -> list[int]:
        """The slots of ``stored`` (slot -> media) whose description is still blank."""
        return [slot for slot in sorted(stored)
                if not (self.cleaned_data.get(f"alt_{slot}") or "").strip()]

    def self_labelled(self, slot: int) -> bool:
        """Whether the author labelled the file of ``slot`` AI-generated."""
        return bool(self.cleaned_data.get(f"ai_{slot}"))

    def poll_fields(self):
        return [self[f"poll_option_{i}"] for i in range(1, POLL_SLOTS + 1)]

    def uploads(self) -> list[tuple[int, object, str]]:
        """(slot, uploaded file, alt text) for each slot that holds a file."""
        out = []
        for i in range(1, MEDIA_SLOTS + 1):
            upload = self.cleaned_data.get(f"media_{i}")
            if upload:
                out.append((i, upload, self.cleaned_data.get(f"alt_{i}", "")))
        return out

    def poll_options(self) -> list[str]:
        return [
            value.strip()
            for i in range(1, POLL_SLOTS + 1)
            if (value := self.cleaned_data.get(f"poll_option_{i}") or "").strip()
        ]

    def poll_expires_in(self) -> timedelta:
        return timedelta(seconds=self.cleaned_data.get("poll_duration") or 86400)


class EditForm(forms.Form):
    """Text, content warning, sensitivity and the alt text of each attached image."""

    text = forms.CharField(
        label=gettext_lazy("Text"), required=False, strip=False,
        widget=forms.Textarea(attrs={"rows": 6}),
    )
    spoiler_text = forms.CharField(
        label=gettext_lazy("Content warning (optional)"), required=False, max_length=500
    )
    sensitive = forms.BooleanField(label=gettext_lazy("Mark images as sensitive"),
                                   required=False)

    def __init__(self, *args, media=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.media_items = list(media)
        for item in self.media_items:
            self.fields[f"alt_{item.pk}"] = forms.CharField(
                label=gettext_lazy("Image description (alt text)"),
                required=False,
                max_length=MAX_DESCRIPTION,
                initial=item.description,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def media_slots(self):
        return [(item, self[f"alt_{item.pk}"]) for item in self.media_items]

    def media_descriptions(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"alt_{item.pk}", "") for item in self.media_items}
