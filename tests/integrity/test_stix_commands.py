"""``rostra integrity export-stix`` and ``import-stix``: the CLI doors of sharing."""

from __future__ import annotations

import io
import json

import pytest
from django.core.management import CommandError, call_command

from rostra.integrity.models import WatchSource
from rostra.integrity.stix_export import TLP_MARKINGS
from tests.integrity.stix_world import incident_world


def _run(*args: str) -> str:
    out = io.StringIO()
    call_command("integrity", *args, stdout=out)
    return out.getvalue()


def test_export_then_import_round_trip(db, tmp_path):
    incident = incident_world()["incident"]
    path = tmp_path / "incident.json"
    said = _run("export-stix", str(incident.pk), "--output", str(path), "--tlp", "green")
    assert "TLP:GREEN" in said
    bundle = json.loads(path.read_text())
    assert any(o["id"] == TLP_MARKINGS["green"] for o in bundle["objects"])
    said = _run("import-stix", str(path))
    source = WatchSource.objects.get()
    assert source.tlp == "green" and source.imported_by is None
    assert f"Watch list {source.pk}" in said and "indicators new" in said


def test_export_of_an_unknown_incident_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="no incident 999"):
        _run("export-stix", "999", "--output", str(tmp_path / "x.json"))


def test_export_refuses_an_unknown_tlp(db, tmp_path):
    incident = incident_world()["incident"]
    with pytest.raises(CommandError):
        _run("export-stix", str(incident.pk), "--output", str(tmp_path / "x.json"),
             "--tlp", "white")
    assert not (tmp_path / "x.json").exists()


def test_import_of_a_broken_file_says_why_and_creates_nothing(db, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"type": "bundle", "objects": ')
    with pytest.raises(CommandError, match="not JSON"):
        _run("import-stix", str(path))
    with pytest.raises(CommandError, match="cannot read"):
        _run("import-stix", str(tmp_path / "missing.json"))
    assert not WatchSource.objects.exists()
