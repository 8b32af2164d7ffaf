"""Videos and GIFs of an X archive: through the one media path, missing files
reported, damaged files reported, and the posts imported either way."""

import os

from rostra.portability.importer import import_x_archive
from rostra.posts.models import Post
from tests import video_samples as samples
from tests.portability.archives import FIXTURE, tweet, write_archive, ytd

# A real X video (a repost in the fixture, so the fixture import skips it).
X_VIDEO = FIXTURE / "data" / "tweets_media" / "2020251123341488266-6y_pHES-YKJl3JBz.mp4"


def _video_entity(kind: str, basename: str) -> dict:
    variants = [{"bitrate": "950000", "content_type": "video/mp4",
                 "url": f"https://video.twimg.com/vid/avc1/{basename}?tag=12"},
                {"content_type": "application/x-mpegURL",
                 "url": "https://video.twimg.com/pl/list.m3u8"}]
    return {"type": kind, "url": "https://t.co/v", "ext_alt_text": f"the {kind}",
            "media_url_https": "https://pbs.twimg.com/thumb.jpg",
            "video_info": {"variants": variants}}


def _archive(tmp_path, files: dict[str, bytes], entities: dict[int, tuple[str, str]]):
    recs = [tweet(i, f"post {i} https://t.co/v",
                  extended_entities={"media": [_video_entity(kind, basename)]})
            for i, (kind, basename) in entities.items()]
    files = {f"data/tweets_media/{name}": data for name, data in files.items()}
    return write_archive(tmp_path / "x.zip", {"data/tweets.js": ytd("tweets", recs), **files})


def test_videos_and_gifs_are_imported_through_the_media_pipeline(db, make_user, tmp_path):
    user = make_user("viewer")
    path = _archive(tmp_path, {
        "1-real.mp4": X_VIDEO.read_bytes(),
        "2-cat.mp4": samples.mp4(audio=None),
    }, {1: ("video", "real.mp4"), 2: ("animated_gif", "cat.mp4")})
    report = import_x_archive(user, path)
    assert (report.imported, report.media_imported, report.errors) == (2, 2, [])
    assert report.unsupported_media == [] and report.missing_media == []
    by_post = {p.text.split()[1]: list(p.media.all())
               for p in Post.objects.filter(account=user.account)}
    [video] = by_post["1"]
    assert (video.kind, video.mime_type, video.width, video.height) == ("video", "video/mp4",
                                                                       476, 516)
    assert video.description == "the video" and video.duration == 29.633
    assert video.meta["audio_codec"] == "aac" and video.thumbnail
    [gif] = by_post["2"]
    assert (gif.kind, gif.description) == ("gifv", "the animated_gif")


def test_a_missing_video_is_reported_and_its_post_imported(db, make_user, tmp_path):
    user = make_user("missing")
    path = _archive(tmp_path, {}, {1: ("video", "gone.mp4")})
    report = import_x_archive(user, path)
    assert report.missing_media == [{"id": "1", "file": "1-gone.mp4"}]
    assert report.imported == 1 and report.media_imported == 0
    assert not Post.objects.get(account=user.account).media.exists()


def test_a_damaged_video_is_reported_and_its_post_imported(db, make_user, tmp_path):
    user = make_user("damaged")
    path = _archive(tmp_path, {"1-bad.mp4": os.urandom(3000)}, {1: ("video", "bad.mp4")})
    report = import_x_archive(user, path)
    assert report.imported == 1 and report.media_imported == 0
    [error] = report.errors
    assert error["id"] == "1" and "1-bad.mp4" in error["error"]
    assert "not a video" in error["error"]
    assert not Post.objects.get(account=user.account).media.exists()


def test_a_dry_run_counts_videos_without_storing_them(db, make_user, tmp_path, settings):
    user = make_user("dry")
    path = _archive(tmp_path, {"1-c.mp4": samples.mp4()}, {1: ("video", "c.mp4")})
    report = import_x_archive(user, path, dry_run=True)
    assert report.media_imported == 1
    assert not os.path.exists(settings.MEDIA_ROOT) or not any(os.scandir(settings.MEDIA_ROOT))
