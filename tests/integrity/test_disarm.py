"""The DISARM table our detectors map to agrees with the framework's own STIX
bundle (``shared/fixtures/disarm/DISARM.json``): ids, names, phases and URLs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from rostra.integrity import disarm

FIXTURE = Path(__file__).resolve().parents[2] / ".." / "shared/fixtures/disarm/DISARM.json"

pytestmark = pytest.mark.skipif(not FIXTURE.exists(),
                                reason="no DISARM fixture beside the repository")


@pytest.fixture(scope="module")
def framework() -> dict[str, dict]:
    bundle = json.loads(FIXTURE.read_text())
    techniques = {}
    for obj in bundle["objects"]:
        if obj["type"] == "attack-pattern" and not obj.get("revoked"):
            for ref in obj.get("external_references", []):
                if ref.get("external_id"):
                    techniques[ref["external_id"]] = obj
    return techniques


@pytest.mark.parametrize("technique_id", sorted(disarm.TECHNIQUES))
def test_technique_exists_in_the_framework_with_the_same_name(framework, technique_id):
    assert technique_id in framework
    assert disarm.TECHNIQUES[technique_id].name == framework[technique_id]["name"]


@pytest.mark.parametrize("technique_id", sorted(disarm.TECHNIQUES))
def test_technique_phase_is_the_frameworks_tactic_phase(framework, technique_id):
    phases = {p["phase_name"] for p in framework[technique_id]["kill_chain_phases"]}
    assert disarm.TECHNIQUES[technique_id].phase in phases


@pytest.mark.parametrize("technique_id", sorted(disarm.TECHNIQUES))
def test_technique_url_is_the_frameworks_url(framework, technique_id):
    urls = {r.get("url") for r in framework[technique_id]["external_references"]}
    assert disarm.TECHNIQUES[technique_id].url in urls


def test_every_behaviour_maps_to_known_techniques():
    for behaviour, ids in disarm.BEHAVIOUR_TECHNIQUES.items():
        assert ids, behaviour
        assert all(i in disarm.TECHNIQUES for i in ids), behaviour


def test_technique_id_form_is_checked():
    assert disarm.is_technique_id("T0049") and disarm.is_technique_id("T0049.003")
    assert not disarm.is_technique_id("T49") and not disarm.is_technique_id("T0049.3")
    assert not disarm.is_technique_id("") and not disarm.is_technique_id("T0049 ")


def test_techniques_for_behaviours_keeps_order_without_repeats():
    assert disarm.techniques_for(["co_text", "near_duplicate_text", "co_link"]) == [
        "T0084.001", "T0049", "T0118"]
