"""``rostra hashlist``: import, list, remove."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from rostra.safety.models import HashEntry, HashList

pytestmark = pytest.mark.django_db
PDQ = "0123456789abcdef" * 4


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("hashlist", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_import_list_and_remove(tmp_path):
    path = tmp_path / "ncmec.txt"
    path.write_text(f"pdq {PDQ} 90\nmd5 {'a' * 32}\nmd5 nope\n")
    out, err = run("import", str(path), "--name", "ncmec", "--kind", "csam",
                   "--action", "block")
    assert "2 hashes read (hma), 2 added, 0 already listed, 1 rejected" in out
    assert "line 3: a md5 hash is 32 hexadecimal digits" in err
    out, _ = run("import", str(path), "--name", "ncmec", "--kind", "csam", "--action", "block",
                 "--format", "hma")
    assert "0 added, 2 already listed" in out
    out, _ = run("list")
    assert "ncmec" in out and "csam" in out and " 1 " in out
    out, _ = run("remove", "--name", "ncmec")
    assert "Removed ncmec and its 2 entries." in out
    assert not HashList.objects.exists() and not HashEntry.objects.exists()


def test_errors_are_command_errors(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        run("import", str(tmp_path / "missing.csv"), "--name", "x", "--kind", "other",
            "--action", "review")
    with pytest.raises(CommandError, match="No hash list named"):
        run("remove", "--name", "x")
    broken = tmp_path / "broken.json"
    broken.write_text('[{"type": "md5", "hash": "' + "b" * 32 + '"}, {')
    with pytest.raises(CommandError, match="stopped early"):
        run("import", str(broken), "--name", "x", "--kind", "other", "--action", "review")
    assert HashEntry.objects.count() == 1


def test_the_rostra_command_knows_hashlist():
    from rostra.cli import COMMANDS

    assert "hashlist" in COMMANDS
