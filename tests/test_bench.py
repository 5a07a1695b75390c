"""The benchmark suite runs, and every ftrans result agrees with the hand-written NumPy one."""

from __future__ import annotations

import json
import re
import sys

import pytest

from ftrans.bench import WORKLOADS, Config, run_case
from ftrans.bench.__main__ import main
from ftrans.bench.report import table
from ftrans.bench.runner import Result


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


def test_w10_skips_cleanly_without_dask(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    assert WORKLOADS["W10"](Config(quick=True)) == []
    err = capsys.readouterr().err
    assert "W10 skipped: dask.distributed is not installed" in err
    assert "pip install 'ftrans[distributed]'" in err


def test_w10_reports_efficiency_memory_and_overhead(capsys):
    pytest.importorskip("distributed")
    assert main(["--quick", "--only", "W10", "--no-peers", "--threads", "0",
                 "--repeats", "1"]) == 0
    out = capsys.readouterr().out
    assert re.search(r"W10 +jacfwd 2000 inputs.* ftrans\.dask2 ", out)
    assert re.search(r"W10 parallel efficiency T\(1 process\) / \(2 T\(2 workers\)\), by "
                     r"medians, load average [\d.?]+ \(at the start [\d.?]+\), 8 chunks of 250, "
                     r"3 rounds:", out)
    for who in ("ftrans on 2 Dask workers: ", "ftrans on a ProcessPoolExecutor: ",
                "hand NumPy chunks, same pool: "):
        assert re.search(who + r" *\d+\.\d\d \(.* s / \(2 x .* s\); \d+\.\d\d by minima\)", out)
    assert len(re.findall(r"W10 worker \S+: peak RSS \d+ MiB \(before W10 \d+ MiB\)", out)) == 2
    assert re.search(r"W10 program: .* MiB pickled, shipped 2x", out)
    where = re.search(r"W10 where a call on the 2 Dask workers spends its (\d+) ms: .* workers "
                      r"busy (\d+) ms \((\d+) chunks\), (\d+) ms \((\d+) chunks\)", out)
    assert where and int(where[3]) + int(where[5]) == 8  # every chunk, once
    assert int(where[2]) + int(where[4]) <= 2 * int(where[1]) + 2
    assert re.search(r"W10 per-chunk overhead \(trivial chunks\): [\d.]+ ms per task on the "
                     r"2 Dask workers, [\d.]+ ms on a ProcessPoolExecutor\(2\)", out)
    assert "mismatch" not in out


def test_cli_rejects_unknown_workloads(capsys):
    assert main(["--only", "W42", "--threads", "0"]) == 2
    assert "W42" in capsys.readouterr().err


def test_help_is_plain_text_and_describes_every_workload(capsys):
    with pytest.raises(SystemExit) as e:
        main(["--help"])
    assert e.value.code == 0
    out = capsys.readouterr().out
    assert "``" not in out and ":func:" not in out  # no reStructuredText markup
    assert "hand-written NumPy derivative" in out and "pip install 'ftrans[bench]'" in out
    lines = out.splitlines()
    for name in WORKLOADS:
        (line,) = [x for x in lines if x.strip().startswith(name + " ")]
        assert len(line.split(maxsplit=1)[1]) > 20, line  # a description, one line
    assert any("Hessian" in x for x in lines if x.strip().startswith("W5 "))


def test_plot_without_matplotlib_fails_before_running(monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    ran = []
    monkeypatch.setattr("ftrans.bench.runner.run_case", lambda *a, **k: ran.append(a) or [])
    assert main(["--quick", "--only", "W1", "--no-peers", "--threads", "0",
                 "--plot", "bench.png"]) == 2
    out, err = capsys.readouterr()
    assert "--plot bench.png: needs matplotlib, which is not installed" in err
    assert "pip install matplotlib" in err
    assert ran == [] and out == "" and "round" not in err


def test_progress_shows_the_workload_number_and_elapsed_time(capsys):
    assert main(["--quick", "--only", "W1,W6", "--no-peers", "--no-c", "--threads", "0",
                 "--repeats", "1"]) == 0
    err = capsys.readouterr().err
    assert re.search(r"\[workload 1/2, \d+ s\] W1 tutorial grad \(scalar\): round 1/1", err)
    assert re.search(r"\[workload 2/2, \d+ s\] W6 per-example grads b=256: round 1/1", err)


def _result(impl: str, t: float) -> Result:
    return Result("W1", "tutorial grad (scalar)", impl, "time", [t, 2 * t])


def test_the_jax_column_is_there_only_when_jax_ran():
    base = [_result("numpy", 1e-6), _result("ftrans", 4e-6)]
    without = table(base).splitlines()
    assert "/jax.jit" not in without[0] and "/numpy" in without[0]
    assert without[2].split()[-1] == "4.00"  # ftrans / numpy: medians 6 us / 1.5 us
    with_jax = table(base + [_result("jax.jit", 2e-6)]).splitlines()
    assert with_jax[0].split()[-2:] == ["/jax.jit", "note"]
    assert with_jax[2].split()[-2:] == ["4.00", "2.00"]  # ftrans: /numpy, /jax.jit


def test_w12_solver_reaches_the_minimum_with_every_gradient():
    pytest.importorskip("scipy")
    (case,) = WORKLOADS["W12"](Config(quick=True))
    assert {"numpy", "ftrans", "ftrans.jit"} <= set(case.impls)
    for name in ("numpy", "ftrans", "ftrans.jit"):
        x = case.impls[name]()
        assert abs(x - 1.0).max() < 1e-6, (name, x)  # Rosenbrock's minimum: all ones
    results = run_case(case, repeats=1, budget_s=0.0, progress=lambda _: None)
    for r in results:
        assert r.error == "" and r.samples, (r.impl, r.error)


def test_w12_without_scipy_has_no_case(monkeypatch):
    monkeypatch.setitem(sys.modules, "scipy.optimize", None)  # import -> ImportError
    assert WORKLOADS["W12"](Config(quick=True)) == []
