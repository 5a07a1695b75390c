"""The benchmark suite runs, and every ftrans result agrees with the hand-written NumPy one."""

from __future__ import annotations

import json

import pytest

from ftrans.bench import WORKLOADS, Config, run_case
from ftrans.bench.__main__ import main


@pytest.mark.parametrize("name", ["W1", "W4", "W5", "W6", "W7", "W13"])
def test_ftrans_matches_hand_numpy(name):
    for case in WORKLOADS[name](Config(quick=True)):
        if case.metric != "time" or "k=1000" in case.label:
            continue
        results = run_case(case, repeats=1, budget_s=0.0, progress=lambda _: None)
        assert {r.impl for r in results} >= {"numpy", "ftrans", "ftrans.jit"}
        for r in results:
            assert r.error == "" and r.samples, (case.label, r.impl, r.error)


def test_cli_writes_json(tmp_path, capsys):
    out = tmp_path / "w1.json"
    assert main(["--quick", "--only", "W1", "--no-peers", "--no-c", "--threads", "0",
                 "--repeats", "2", "--json", str(out)]) == 0
    table = capsys.readouterr().out
    assert "ftrans.jit" in table and "/numpy" in table
    data = json.loads(out.read_text())
    assert {r["impl"] for r in data["results"]} == {"numpy", "ftrans", "ftrans.jit"}
    assert all(r["error"] == "" for r in data["results"])


def test_cli_rejects_unknown_workloads(capsys):
    assert main(["--only", "W42", "--threads", "0"]) == 2
    assert "W42" in capsys.readouterr().err
