"""The benchmark harness's pieces: its summaries, its goals, its profile reading, its in-process
figures, and (slow) one tiny trial of every figure along every path of a real rig."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench import load, measure, micro, profile, report, run
from bench.rig import PATHS, Rig, command_tracking, recorded
from bench.stats import median, percentile
from tests.rows import each

REPO = Path(__file__).resolve().parent.parent


@each(("values", "pct", "expected"), [
    ([], 50, None),
    ([7.0], 99, 7.0),
    ([1.0, 2.0, 3.0, 4.0], 50, 2.5),
    ([4.0, 1.0, 3.0, 2.0], 0, 1.0),
    ([4.0, 1.0, 3.0, 2.0], 100, 4.0),
    (list(range(101)), 99, 99.0),
])
def test_percentile_interpolates_between_closest_ranks(values, pct, expected):
    assert percentile(values, pct) == expected


def test_median_of_nothing_is_none():
    assert median([]) is None
    assert median([3.0, 1.0, 2.0]) == 2.0


def _results(exec_mb_s, pty_s, p99_ms, setup_s, concurrency=()):
    def paths(values, key="median"):
        return {"paths": {p: {key: v} for p, v in zip(("proxyjump", "bastion"), values, strict=True)}}

    return {
        "figures": {"exec_throughput": paths(exec_mb_s), "pty_bulk": paths(pty_s),
                    "keystroke_echo": paths(p99_ms, "p99"), "session_setup": paths(setup_s)},
        "concurrency": list(concurrency),
        "policy": {"lines": 100, "cold_us": {"mean": 80.0, "p50": 60.0, "p99": 200.0},
                   "warm_us": {"mean": 9.0, "p50": 5.0, "p99": 50.0}},
        "certificates": {"mint_per_s": 1500.0, "keygen_and_mint_per_s": 1000.0},
    }


def _met(results):
    return {g["goal"]: g["met"] for g in report.goals(results)}


def test_goals_are_held_against_proxyjump_from_the_same_run():
    met = _met(_results(exec_mb_s=(100.0, 100.0), pty_s=(1.0, 2.0), p99_ms=(2.0, 3.0),
                        setup_s=(1.0, 1.2)))
    assert met["exec throughput vs ProxyJump"] is True
    assert met["pty bulk output speed vs ProxyJump"] is True       # half the speed is enough
    assert met["keystroke echo p99 added over ProxyJump"] is True  # exactly 1 ms added
    assert met["session setup vs ProxyJump"] is True
    assert met["policy decision per line (new lines, mean)"] is True
    assert met["certificates minted per second"] is False

    met = _met(_results(exec_mb_s=(100.0, 99.0), pty_s=(1.0, 2.1), p99_ms=(2.0, 3.5),
                        setup_s=(1.0, 1.3)))
    assert not any(met[g] for g in ("exec throughput vs ProxyJump",
                                    "pty bulk output speed vs ProxyJump",
                                    "keystroke echo p99 added over ProxyJump",
                                    "session setup vs ProxyJump"))


def _run(sessions, opened, p99, rss_kib):
    return {"path": "bastion", "sessions": sessions, "opened": opened, "echo_ms": {"p99": p99},
            "server": {"rss_per_session_kib": rss_kib}}


@each(("runs", "expected"), [
    ([], None),                                                   # not measured
    ([_run(500, 500, 20.0, 300.0)], True),
    ([_run(500, 500, 60.0, 300.0)], False),
    ([_run(500, 499, 20.0, 300.0)], False),                       # a session failed to open
    ([_run(200, 200, 20.0, 300.0)], None),                        # never tried 500
    ([_run(500, 500, 20.0, 300.0), _run(50, 50, 90.0, 9000.0)], True),  # the largest run counts
])
def test_concurrency_goal_is_judged_only_with_all_500_sessions(runs, expected):
    met = _met(_results((1.0, 1.0), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0), concurrency=runs))
    assert met["500 sessions: echo p99"] is expected


@each(("tracked", "untracked", "expected"), [
    (3.9, 2.0, True), (4.1, 2.0, False), (None, 2.0, None)])
def test_tracking_goal_is_the_time_ratio_with_tracking_off(tracked, untracked, expected):
    results = _results((1.0, 1.0), (1.0, 1.0), (1.0, 1.0), (1.0, 1.0))
    paths = {"untracked": {"median": untracked}}
    if tracked is not None:
        paths["tracked"] = {"median": tracked}
    results["figures"]["pty_tracking"] = {"paths": paths}
    assert _met(results)["pty bulk time, command tracking on vs off"] is expected


def test_table_names_every_path_and_goal():
    results = _results((100.0, 50.0), (1.0, 4.0), (2.0, 9.0), (1.0, 0.5))
    results["goals"] = report.goals(results)
    text = report.table(results)
    for word in ("proxyjump", "bastion", "exec throughput", "keystroke echo p99", "NO", "yes"):
        assert word in text


def test_collapsed_stacks_give_own_and_inclusive_shares(tmp_path):
    raw = tmp_path / "raw"
    raw.write_text("main (a.py:1);relay (bastion/ssh/proxy.py:2);encrypt (c.py:3) 6\n"
                   "main (a.py:1);relay (bastion/ssh/proxy.py:2) 2\n"
                   "main (a.py:1);run (bastion/ssh/server.py:9) 1\n"
                   "main (a.py:1) 1\n")
    top = profile.top_of_collapsed(raw)
    assert top["samples"] == 10
    assert top["self"][0] == ("encrypt (c.py:3)", 60.0)
    # main is in every sample: scaffolding, left out of the inclusive lists
    assert dict(top["inclusive"]) == {"relay (bastion/ssh/proxy.py:2)": 80.0,
                                      "encrypt (c.py:3)": 60.0, "run (bastion/ssh/server.py:9)": 10.0}
    # the product's own code, without the frames that only start the server
    assert top["inclusive_bastion_code"] == [("relay (bastion/ssh/proxy.py:2)", 80.0)]


def test_policy_corpus_meets_the_default_policy_and_is_not_all_allowed():
    found = micro.policy_decision(REPO / "config" / "policy.toml", 0.2)
    assert found["lines"] > 0
    assert found["verdicts"].get("allow", 0) > 0
    assert found["verdicts"].get("deny", 0) > 0


def test_certificate_rates_are_counted():
    found = micro.cert_minting(0.2)
    assert found["mint_per_s"] > 0 and found["keygen_and_mint_per_s"] > 0


@pytest.mark.parametrize(("argv", "message"), [
    (["--concurrency", "50,x"], "whole numbers"),
    (["--concurrency", "0"], "between 1 and 1000"),
    (["--concurrency-paths", "direct,nowhere"], "unknown path"),
    (["--skip", "exec,warp"], "unknown figure"),
    (["--repetitions", "0"], "at least 1"),
    (["--quick", "--full"], "not allowed with"),
])
def test_bad_options_are_refused_with_a_reason(argv, message, capsys):
    with pytest.raises(SystemExit) as exc:
        run.parse_args(argv)
    assert exc.value.code == 2
    assert message in capsys.readouterr().err


def test_quick_and_full_plans():
    _, quick = run.parse_args(["--quick"])
    _, full = run.parse_args(["--full", "--repetitions", "2"])
    assert quick.repetitions == 1 and quick.exec_bytes < run.NORMAL.exec_bytes
    assert full.concurrency == (50, 200, 500) and full.repetitions == 2


@pytest.fixture
def rig(tmp_path):
    started = Rig(tmp_path).start()
    yield started
    started.close()


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.timeout(180)
def test_every_figure_runs_along_every_path(rig):
    assert command_tracking(rig)["active"] is True  # the bastion judges a pty shell
    for path in PATHS:
        assert measure.exec_throughput(rig, path, 1_000_000) > 0
        assert measure.pty_bulk(rig, path, 100_000) > 0
        assert len(measure.keystroke_echo(rig, path, 5, gap=0)) == 5
        assert measure.session_setup(rig, path) > 0
    result = asyncio.run(load.run(rig, "bastion", 2, typing_seconds=0.5,
                                  server_pid=rig.bastion.pid))
    assert result.opened == 2 and not result.errors and result.echo_ms
    assert result.server["rss_open_mib"] > 0
    kept = recorded(rig)
    # along the bastion: pty bulk, keystrokes and two held sessions are recorded as casts,
    # the exec stream and `ssh true` as exec records
    assert (kept["cast_files"], kept["exec_records"]) == (4, 2)
    assert kept["command_lines_logged"] >= 4
    # tracking on and off: the untracked server logs no command line, the real one does
    runner = run.Runner(rig, run.replace(run.QUICK, repetitions=1, pty_bytes=100_000))
    runner.tracking()
    assert not runner.errors
    assert runner.tracking_lines["tracked"][0] > 0 and runner.tracking_lines["untracked"] == [0]
    flood = measure.echo_under_flood(rig, 200_000, 3, gap=0)
    assert len(flood["flood_s"]) == 3 and all(s > 0 for s in flood["flood_s"])


@pytest.mark.slow
@pytest.mark.integration
@pytest.mark.timeout(300)
def test_a_short_soak_churns_sessions_and_finds_the_bastion_back_at_its_baseline(rig):
    from bench import soak

    result = soak.soak(rig, sessions=20, seconds=40, churn_per_minute=60, key_interval=0.5,
                       sample_every=5)
    assert result["passed"], soak.table(result)
    assert result["sessions_replaced"] >= 10 and result["exec_sessions"] >= 5
    assert result["after"]["connections"] == 0 and len(result["samples"]) >= 8
