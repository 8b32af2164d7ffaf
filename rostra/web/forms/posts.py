"""Forms of the web door for writing posts: compose (with images, alt texts and
a poll) and edit. They only parse input; ``views/compose.py`` and
``views/posts.py`` hand the cleaned data to the post services, whose errors
(``PostError.field``) are mapped back onto these fields."""

from __future__ import annotations

from datetime import timedelta

from django import forms
from django.conf import settings

from rostra.posts.media import MAX_DESCRIPTION
from rostra.posts.models import Visibility

MEDIA_SLOTS = 4
POLL_SLOTS = 4
POLL_DURATIONS = [
    (300, "5 minutes"),
    (1800, "30 minutes"),
    (3600, "1 hour"),
    (21600, "6 hours"),
    (86400, "1 day"),
    (259200, "3 days"),
    (604800, "7 days"),
]


class ComposeForm(forms.Form):
    text = forms.CharField(
        label="What’s on your mind?",
        required=False,
        strip=False,
        widget=forms.Textarea(attrs={"rows": 5}),
    )
    spoiler_text = forms.CharField(
        label="Content warning (optional)", required=False, max_length=500
    )
    visibility = forms.ChoiceField(label="Who can see this", choices=Visibility.choices)
    sensitive = forms.BooleanField(label="Mark images as sensitive", required=False)
    poll_duration = forms.TypedChoiceField(
        label="Poll length", choices=POLL_DURATIONS, coerce=int, initial=86400, required=False
    )
    poll_multiple = forms.BooleanField(label="Allow several choices", required=False)
    in_reply_to = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = settings.ROSTRA_POST_MAX_CHARS
        self.fields["text"].widget.attrs.update(
            {"data-limit": limit, "aria-describedby": "compose-limit",
             "placeholder": "What’s on your mind?"}
        )
        for i in range(1, MEDIA_SLOTS + 1):
            self.fields[f"media_{i}"] = forms.FileField(
                label=f"Image or video {i}",
                required=False,
                widget=forms.ClearableFileInput(attrs={"accept": "image/*,video/*"}),
            )
            self.fields[f"alt_{i}"] = forms.CharField(
                label="Image description (alt text)",
                required=False,
                max_length=MAX_DESCRIPTION,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.fields[f"ai_{i}"] = forms.BooleanField(
                label="This image is AI-generated", required=False,
                widget=forms.CheckboxInput(attrs={"aria-describedby": f"id_ai_{i}_hint"}),
            )
        for i in range(1, POLL_SLOTS + 1):
            self.fields[f"poll_option_{i}"] = forms.CharField(
                label=f"Choice {i}", required=False, max_length=50
            )

    def media_slots(self):
        """(file field, alt-text field, "AI-generated" checkbox) of each slot, for the
        template."""
        return [(self[f"media_{i}"], self[f"alt_{i}"], self[f"ai_{i}"])
                for i in range(1, MEDIA_SLOTS + 1)]

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
        label="Text", required=False, strip=False, widget=forms.Textarea(attrs={"rows": 6})
    )
    spoiler_text = forms.CharField(
        label="Content warning (optional)", required=False, max_length=500
    )
    sensitive = forms.BooleanField(label="Mark images as sensitive", required=False)

    def __init__(self, *args, media=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.media_items = list(media)
        for item in self.media_items:
            self.fields[f"alt_{item.pk}"] = forms.CharField(
                label="Image description (alt text)",
                required=False,
                max_length=MAX_DESCRIPTION,
                initial=item.description,
                widget=forms.Textarea(attrs={"rows": 2}),
            )

    def media_slots(self):
        return [(item, self[f"alt_{item.pk}"]) for item in self.media_items]

    def media_descriptions(self) -> dict[int, str]:
        return {item.pk: self.cleaned_data.get(f"alt_{item.pk}", "") for item in self.media_items}
