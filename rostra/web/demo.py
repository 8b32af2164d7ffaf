"""Demo content for a first look: a few people, posts with an image, replies,
follows, a poll. Everything goes through the domain services, like a real user."""

from __future__ import annotations

import io
import math
from datetime import timedelta

from django.utils import timezone
from PIL import Image, ImageDraw

from rostra.accounts import services as accounts
from rostra.accounts.models import Account
from rostra.posts import media as media_service
from rostra.posts import services as posts

DEMO_PASSWORD = "rostra-demo-2026"

PEOPLE = [
    ("demo", "Demo Visitor", "Trying out Rostra. Log in as me and look around.",
     (70, 110, 200), False),
    ("amelie", "Amélie Laurent", "Journalist in Lyon. Climate, cities, public money. #journalism",
     (214, 90, 60), False),
    ("jonas", "Jonas Berg", "Cyclist, civic-tech volunteer, bad at gardening.",
     (46, 140, 100), False),
    ("lucia", "Lucía Ortega", "Librarian. Reading lists on request. Followers approved by hand.",
     (150, 80, 170), True),
    ("council", "Bruges City Council", "Official account. Notices, consultations, open data.",
     (30, 60, 90), False),
]


def _avatar(color: tuple[int, int, int], seed: int) -> bytes:
    size = 256
    image = Image.new("RGB", (size, size), color)
    draw = ImageDraw.Draw(image)
    light = tuple(min(255, c + 90) for c in color)
    for i in range(3):
        r = 40 + 30 * i + seed * 7
        cx, cy = 80 + 40 * i, 90 + ((seed * 37 + i * 53) % 90)
        draw.ellipse((cx - r // 2, cy - r // 2, cx + r // 2, cy + r // 2), fill=light)
    return _png(image)


def _landscape() -> bytes:
    width, height = 1200, 675
    image = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(image)
    for y in range(height):
        t = y / height
        sky = (int(250 - 120 * t), int(170 - 60 * t), int(110 + 80 * t))
        draw.line([(0, y), (width, y)], fill=sky)
    draw.ellipse((780, 180, 980, 380), fill=(255, 214, 120))
    for x in range(0, width, 4):
        wave = int(12 * math.sin(x / 60))
        draw.line([(x, 470 + wave), (x, height)], fill=(40, 70, 120))
    draw.polygon([(0, 480), (260, 300), (520, 480)], fill=(60, 60, 80))
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def seed_demo() -> dict[str, Account]:
    """Create the demo world. Call only on an empty database."""
    people: dict[str, Account] = {}
    for seed, (username, name, bio, color, locked) in enumerate(PEOPLE):
        user = accounts.register(username, f"{username}@demo.rostra.invalid", DEMO_PASSWORD,
                                 bypass_policy=True, admin=username == "demo")
        people[username] = accounts.update_profile(
            user.account, display_name=name, note=bio, locked=locked,
            avatar=_avatar(color, seed),
            fields=[{"name": "Website", "value": f"https://{username}.example.eu"}],
        )
    a, j, lu, c, d = (people[n] for n in ("amelie", "jonas", "lucia", "council", "demo"))
    for follower, target in [(d, a), (d, j), (d, c), (a, j), (j, a), (a, c), (j, c), (c, a),
                             (d, lu), (a, lu)]:
        accounts.follow(follower, target)
    for request in lu.follow_requests.all():
        if request.account_id == a.pk:
            accounts.accept_follow_request(lu, request)

    now = timezone.now()

    def at(hours: float):
        return now - timedelta(hours=hours)

    photo = media_service.upload_media(
        a, _landscape(), description="A sunset over the sea: orange sky, a pale yellow sun "
        "and a dark hill on the left, painted in flat colours.")
    sunset = posts.create_post(a, "Evening light over the bay after the storm. Left X today "
                               "and brought my camera along. #photography",
                               media=[photo], published=at(20))
    posts.create_post(j, "@amelie Gorgeous! Welcome to Rostra 👋", in_reply_to=sunset,
                      published=at(19.5))
    posts.create_post(a, "@jonas Thank you! It already feels calmer here.",
                      in_reply_to=sunset.replies.first(), published=at(19))
    notice = posts.create_post(
        c, "Public consultation on the new cycling lanes opens today. Read the plans and "
        "comment until 15 December: https://example.eu/consultation #Bruges #cycling",
        published=at(8))
    posts.reblog(j, notice)
    posts.favourite(a, notice)
    posts.favourite(d, sunset)
    posts.create_post(
        j, "Which day works best for the next civic-tech meetup?", published=at(5),
        poll=posts.PollSpec(["Tuesday", "Thursday", "Saturday"], expires_in=timedelta(days=3)))
    posts.create_post(lu, "New reading list for followers: ten novels about cities.",
                      visibility="private", published=at(3))
    posts.create_post(a, "Working on a story about public money for local news. Tips welcome "
                      "— DMs are open.", published=at(2))
    posts.create_post(d, "Hello Rostra! My first post. #introduction", published=at(1))
    return people
