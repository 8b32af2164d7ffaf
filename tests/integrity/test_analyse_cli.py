"""``rostra integrity analyse``: a CSV in, clusters JSON out; a bad CSV is a clear
error and writes nothing."""

from __future__ import annotations

import csv
import json

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.integrity.test_detect_behaviours import GROUP, World


def _write(world: World, path) -> None:
    with path.open("w", newline="", encoding="utf-8") as f:
        out = csv.writer(f)
        out.writerow(["message_id", "user_id", "username", "repost_id", "reply_id", "message",
                      "timestamp", "urls"])
        for m in world.messages:
            out.writerow([m.message_id, m.user_id, m.username, m.repost_id, m.reply_id, m.text,
                          f"{m.timestamp:.0f}", " ".join(m.urls)])


def test_analyse_writes_clusters_json(tmp_path, capsys):
    world = World(seed=21)
    world.plant("co_boost", GROUP)
    _write(world, tmp_path / "in.csv")
    call_command("integrity", "analyse", str(tmp_path / "in.csv"),
                 "--output", str(tmp_path / "clusters.json"))
    [cluster] = json.loads((tmp_path / "clusters.json").read_text())
    assert sorted(cluster["accounts"]) == sorted(GROUP)
    assert "co_boost" in cluster["behaviours"] and 0 < cluster["score"] <= 1
    assert cluster["evidence"]
    assert f"read {len(world.messages)} messages, found 1 clusters" in capsys.readouterr().out


def test_analyse_election_and_window_options(tmp_path):
    world = World(seed=22, messages=2000)
    world.plant("co_boost", ["pair0", "pair1"], actions=2, jitter=5.0)
    _write(world, tmp_path / "in.csv")
    call_command("integrity", "analyse", str(tmp_path / "in.csv"), "--election",
                 "--window-seconds", "60", "--output", str(tmp_path / "out.json"))
    [cluster] = json.loads((tmp_path / "out.json").read_text())
    assert sorted(cluster["accounts"]) == ["pair0", "pair1"]


def test_bad_csv_is_a_command_error_and_writes_no_output(tmp_path):
    (tmp_path / "bad.csv").write_text("1,2,anna,,,hi,1700000000,\n1,2,3\n")
    with pytest.raises(CommandError, match="line 2: 3 columns"):
        call_command("integrity", "analyse", str(tmp_path / "bad.csv"),
                     "--output", str(tmp_path / "out.json"))
    assert list(tmp_path.iterdir()) == [tmp_path / "bad.csv"]
