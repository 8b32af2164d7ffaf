"""A worker SIGKILLed in the middle of an X archive import loses nothing and
doubles nothing.

The guarantee (``portability.post_batch``, ``core.worker.reclaim_orphans``): each
batch of posts, their media rows and their ``ImportedItem`` rows commit together,
so the kill rolls back at most the open batch; the worker restarted on the host
reclaims the import task, which runs again and skips every X id already recorded.
Every post is imported exactly once, its media once, and the job ends done.
The files the rolled-back batch had written stay on disk with no row naming them,
until ``rostra media remove-orphans`` (``posts.orphans``) deletes them: after it, the
media folder holds exactly the files the rows name.
"""

from __future__ import annotations

import time

from tests.federation.servers import logs_on_failure, wait_for
from tests.ops.rig import serving
from tests.portability.archives import zip_fixture

ENQUEUE = """
from rostra.accounts.models import User
from rostra.portability.models import ImportJob
from rostra.portability.tasks import run_x_import
user = User.objects.get(username="importer")
job = ImportJob.objects.create(user=user, source="x", archive_path={path!r},
                               options={{"visibility": "public"}})
run_x_import.enqueue(job.pk)
out = job.pk
"""


def test_an_import_killed_mid_batch_finishes_after_restart_with_every_post_once(tmp_path):
    archive = zip_fixture(tmp_path / "archive.zip")
    with serving(tmp_path / "server", ("importer",)) as server, logs_on_failure(server):
        media_dir = server.data_dir / "media"
        job = server.shell(ENQUEUE.format(path=str(archive)))

        def uploading() -> bool:  # the batch is open: its media files are being written
            return media_dir.exists() and sum(1 for f in media_dir.rglob("*") if f.is_file()) >= 4

        wait_for(uploading, timeout=30, what="the import to be writing media")
        server.kill_worker()
        status = server.sql("SELECT status FROM portability_importjob WHERE id = ?", job)[0][0]
        assert status == "running", f"the import was {status} at the kill: nothing to prove"

        server.start_worker()
        started = time.monotonic()
        wait_for(lambda: server.sql("SELECT status FROM portability_importjob WHERE id = ?",
                                    job)[0][0] == "done", timeout=45, what="the import to end")
        assert time.monotonic() - started < 45

        items = server.sql("SELECT source_id, post_id FROM portability_importeditem "
                           "WHERE job_id = ?", job)
        sources = [s for s, _ in items]
        assert len(items) > 50 and len(sources) == len(set(sources))
        assert all(post for _, post in items)
        posts = server.sql("SELECT count(*) FROM posts_post p JOIN accounts_account a "
                           "ON a.id = p.account_id WHERE a.username = 'importer' "
                           "AND a.domain = ''")[0][0]
        assert posts == len(items)
        # Media: attached once each, none left unattached by the rolled-back batch.
        assert server.sql("SELECT count(*) FROM (SELECT post_id, sha256 FROM posts_media "
                          "WHERE post_id IS NOT NULL GROUP BY post_id, sha256 "
                          "HAVING count(*) > 1)")[0][0] == 0
        assert server.sql("SELECT count(*) FROM posts_media WHERE post_id IS NULL")[0][0] == 0
        attached = server.sql("SELECT count(*) FROM posts_media")[0][0]
        report = server.shell(f"from rostra.portability.models import ImportJob\n"
                              f"out = ImportJob.objects.get(pk={job}).report")
        assert attached == report["media_imported"] > 0
        assert server.sql("SELECT count(*) FROM django_tasks_database_dbtaskresult "
                          "WHERE status IN ('RUNNING', 'FAILED')")[0][0] == 0

        # The rolled-back batch's files: no row names them; the clean-up removes them all.
        named = server.shell("from rostra.posts.models import Media\n"
                             "out = sorted({n for pair in Media.objects.values_list("
                             "'file', 'thumbnail') for n in pair if n})")
        removed = server.shell("from datetime import timedelta\n"
                               "from rostra.posts import orphans\n"
                               "out = orphans.remove(timedelta(0)).names")
        on_disk = sorted(str(f.relative_to(media_dir)) for f in media_dir.rglob("*")
                         if f.is_file())
        assert on_disk == named, (len(on_disk), len(named), removed[:3])
        assert not set(removed) & set(named)
