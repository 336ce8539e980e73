"""`make bench`: the bastion against direct OpenSSH and OpenSSH ProxyJump, in one run.

    python -m bench.run [--quick | --full] [--repetitions N] [--concurrency 50,200]
                        [--concurrency-paths direct,bastion] [--skip FIGURE,...]
                        [--ciphers LIST] [--profile] [--out bench/results.json] [--keep]

The three paths are measured interleaved (each repetition visits every path, in a rotated order)
so that a slow moment of the machine does not land on one path only. Prints a table and writes
every sample, summary, goal and the settings the figures were taken with to `--out`. Exits 1 if
a trial failed (its error is in the output), 0 otherwise: missed goals are findings, not errors.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

import asyncssh

from bench import load, measure, micro, profile, report
from bench.rig import BASTION_SETTINGS, PATHS, SSH, Rig, command_tracking, recorded
from bench.stats import median, percentile

REPO = Path(__file__).resolve().parent.parent
DEFAULT_OUT = Path(__file__).resolve().parent / "results.json"
PATH_FIGURES = ("exec", "pty", "keys", "setup")
FIGURES = (*PATH_FIGURES, "tracking", "flood", "concurrency", "policy", "certs")
TRACKING_MODES = {"tracked": "bastion", "untracked": "bench.untracked"}
PROFILE_SESSIONS = 50
# The bastion's CPU time per trial is reported per what the trial moved.
CPU_PER = {"exec_throughput": "MB", "pty_bulk": "MB", "session_setup": "session"}


@dataclass(frozen=True)
class Plan:
    """Sizes and counts of one run."""

    repetitions: int
    exec_bytes: int
    pty_bytes: int
    keystrokes: int
    keystroke_gap_s: float
    setups_per_repetition: int
    concurrency: tuple[int, ...]
    concurrency_paths: tuple[str, ...]
    typing_seconds: float
    key_interval_s: float
    micro_seconds: float
    baseline_up_to: int  # the direct/proxyjump runs of the concurrency figure stop at this count
    flood_bytes: int  # one unfinished statement sent by the flooding session
    floods: int


NORMAL = Plan(repetitions=3, exec_bytes=300_000_000, pty_bytes=30_000_000, keystrokes=200,
              keystroke_gap_s=0.02, setups_per_repetition=5, concurrency=(50, 200),
              concurrency_paths=("direct", "bastion"), typing_seconds=10.0, key_interval_s=0.1,
              micro_seconds=3.0, baseline_up_to=200, flood_bytes=1_000_000, floods=200)
QUICK = replace(NORMAL, repetitions=1, exec_bytes=100_000_000, pty_bytes=10_000_000,
                keystrokes=100, setups_per_repetition=3, concurrency=(50,), typing_seconds=5.0,
                micro_seconds=1.0, floods=50)
FULL = replace(NORMAL, concurrency=(50, 200, 500))


def _list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def parse_args(argv: list[str] | None) -> tuple[argparse.Namespace, Plan]:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n")[0])
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--quick", action="store_true",
                      help="one repetition, smaller sizes, 50 sessions (about 1-2 minutes)")
    size.add_argument("--full", action="store_true", help="also 500 concurrent sessions")
    parser.add_argument("--repetitions", type=int, help="repetitions of the per-path figures")
    parser.add_argument("--concurrency", type=_list,
                        help="comma-separated session counts, e.g. 50,200,500")
    parser.add_argument("--concurrency-paths", type=_list,
                        help=f"paths for the concurrency figure (of {', '.join(PATHS)})")
    parser.add_argument("--skip", type=_list, default=(),
                        help=f"figures to leave out, of {', '.join(FIGURES)}")
    parser.add_argument("--ciphers", metavar="LIST",
                        help="an OpenSSH Ciphers list for every client, e.g. "
                             "aes128-gcm@openssh.com (default: the clients' own preference)")
    parser.add_argument("--profile", action="store_true",
                        help="also profile the bastion under the exec and pty loads "
                             "(py-spy if installed, else cProfile)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results file (JSON)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the temporary folder (keys, logs, recordings) and print it")
    args = parser.parse_args(argv)
    plan = QUICK if args.quick else FULL if args.full else NORMAL
    if args.repetitions is not None:
        if args.repetitions < 1:
            parser.error("--repetitions must be at least 1")
        plan = replace(plan, repetitions=args.repetitions)
    if args.concurrency is not None:
        try:
            counts = tuple(int(n) for n in args.concurrency)
        except ValueError:
            parser.error("--concurrency takes whole numbers, e.g. 50,200")
        if any(n < 1 or n > 1000 for n in counts):
            parser.error("--concurrency counts must be between 1 and 1000")
        plan = replace(plan, concurrency=counts)
    if args.concurrency_paths is not None:
        if unknown := set(args.concurrency_paths) - set(PATHS):
            parser.error(f"unknown path(s): {', '.join(sorted(unknown))}")
        plan = replace(plan, concurrency_paths=args.concurrency_paths)
    if unknown := set(args.skip) - set(FIGURES):
        parser.error(f"unknown figure(s) in --skip: {', '.join(sorted(unknown))}")
    return args, plan


def say(text: str) -> None:
    print(text, flush=True)


def machine() -> dict[str, Any]:
    ssh_version = subprocess.run([SSH, "-V"], capture_output=True, text=True).stderr.strip()
    cpu = ""
    with open("/proc/cpuinfo", encoding="utf-8") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"nproc": os.cpu_count(), "cpu": cpu, "kernel": platform.release(),
            "python": platform.python_version(), "openssh": ssh_version,
            "asyncssh": asyncssh.__version__}


class Runner:
    """Takes the trials of one run and keeps every sample and error."""

    def __init__(self, rig: Rig, plan: Plan) -> None:
        self.rig, self.plan = rig, plan
        self.samples: dict[str, dict[str, list[Any]]] = {}
        self.bastion_cpu: dict[str, list[float]] = {}
        self.bastion_system: dict[str, list[float]] = {}  # the part of it in the kernel
        self.errors: list[str] = []
        self.tracking_cpu: dict[str, list[float]] = {}
        self.tracking_lines: dict[str, list[int]] = {}
        self.load_average: list[tuple[str, float]] = []
        self._pressure: tuple[float, float | None] = (time.monotonic(), load.cpu_pressure_total())
        self.cpu_pressure: list[tuple[str, float | None]] = []

    def note_load(self, when: str) -> None:
        """At the end of phase `when`: the load average, and the share of the phase during which
        some task waited for a CPU (Linux PSI), which tells how busy the machine was."""
        self.load_average.append((when, round(os.getloadavg()[0], 2)))
        at, total = time.monotonic(), load.cpu_pressure_total()
        since, before = self._pressure
        if total is not None and before is not None and at > since:
            self.cpu_pressure.append((when, round(100 * (total - before) / (at - since), 1)))
        self._pressure = (at, total)

    def trial(self, figure: str, path: str, take: Callable[[], Any], show: Callable[[Any], str]
              ) -> None:
        """One trial; along the bastion, the bastion process's CPU time for it is kept too."""
        pid = self.rig.bastion.pid if path == "bastion" and self.rig.bastion else None
        before = load.sample_process(pid) if pid else None
        try:
            value = take()
        except (measure.MeasureError, subprocess.TimeoutExpired, OSError) as exc:
            self.errors.append(f"{figure} {path}: {exc}")
            say(f"  {figure:<16}{path:<11}FAILED: {exc}")
            return
        self.samples.setdefault(figure, {}).setdefault(path, []).append(value)
        cpu = ""
        if pid and before:
            after = load.sample_process(pid)
            used = after.cpu - before.cpu
            self.bastion_cpu.setdefault(figure, []).append(used)
            self.bastion_system.setdefault(figure, []).append(after.system - before.system)
            cpu = f" (bastion CPU {used:.2f} s)"
        say(f"  {figure:<16}{path:<11}{show(value)}{cpu}")

    def per_path_figures(self, skip: tuple[str, ...]) -> None:
        rig, plan = self.rig, self.plan
        for rep in range(plan.repetitions):
            order = PATHS[rep % len(PATHS):] + PATHS[:rep % len(PATHS)]
            say(f"repetition {rep + 1} of {plan.repetitions} (order: {', '.join(order)}; "
                f"load average {os.getloadavg()[0]:.2f})")
            if "exec" not in skip:
                for path in order:
                    self.trial("exec_throughput", path,
                               lambda p=path: measure.exec_throughput(rig, p, plan.exec_bytes),
                               lambda v: f"{v:.1f} MB/s")
            if "pty" not in skip:
                for path in order:
                    self.trial("pty_bulk", path,
                               lambda p=path: measure.pty_bulk(rig, p, plan.pty_bytes),
                               lambda v: f"{v:.3f} s")
            if "keys" not in skip:
                for path in order:
                    self.trial("keystroke_echo", path,
                               lambda p=path: measure.keystroke_echo(
                                   rig, p, plan.keystrokes, plan.keystroke_gap_s),
                               lambda v: f"p50 {percentile(v, 50):.3f} ms, "
                                         f"p99 {percentile(v, 99):.3f} ms")
            if "setup" not in skip:
                for _ in range(plan.setups_per_repetition):
                    for path in order:
                        self.trial("session_setup", path,
                                   lambda p=path: measure.session_setup(rig, p),
                                   lambda v: f"{v:.3f} s")
            self.note_load(f"repetition {rep + 1}")

    def tracking(self) -> None:
        """Bulk pty output along the bastion with command tracking on and off (`bench.untracked`:
        the same server without the gate), interleaved, a fresh server process for each trial.
        The rows the trial added to `commands` show that tracking really was on, or off."""
        rig, plan = self.rig, self.plan
        assert rig.ctx is not None
        try:
            for rep in range(plan.repetitions):
                modes = list(TRACKING_MODES) if rep % 2 == 0 else list(TRACKING_MODES)[::-1]
                for mode in modes:
                    pid = rig.restart_bastion(module=TRACKING_MODES[mode]).pid
                    lines_before = rig.ctx.store.one("SELECT COUNT(*) AS n FROM commands")["n"]
                    before = load.sample_process(pid)
                    self.trial("pty_tracking", mode,
                               lambda: measure.pty_bulk(rig, "bastion", plan.pty_bytes),
                               lambda v: f"{v:.3f} s")
                    used = load.sample_process(pid).cpu - before.cpu
                    self.tracking_cpu.setdefault(mode, []).append(used)
                    logged = rig.ctx.store.one("SELECT COUNT(*) AS n FROM commands")["n"] - lines_before
                    self.tracking_lines.setdefault(mode, []).append(logged)
                    if (logged > 0) != (mode == "tracked"):
                        self.errors.append(f"pty_tracking {mode}: {logged} command lines logged")
        finally:
            rig.restart_bastion()
        self.note_load("tracking")

    def flood(self) -> None:
        """Keystroke echo of a quiet session while another sends megabyte-long unfinished
        statements to a shell without a pty (issue 12, finding 5)."""
        plan = self.plan
        self.trial("echo_under_flood", "bastion",
                   lambda: measure.echo_under_flood(self.rig, plan.flood_bytes, plan.floods,
                                                    plan.keystroke_gap_s),
                   lambda v: f"{len(v['echo_ms'])} keys during {len(v['flood_s'])} floods: echo "
                             f"p50 {percentile(v['echo_ms'], 50)} ms, p99 "
                             f"{percentile(v['echo_ms'], 99)} ms; a flood took "
                             f"{median(v['flood_s']):.3f} s")
        self.note_load("flood")

    def summaries(self) -> dict[str, Any]:
        units = {"exec_throughput": "MB/s", "pty_bulk": "s", "keystroke_echo": "ms",
                 "session_setup": "s", "pty_tracking": "s", "echo_under_flood": "ms"}
        out: dict[str, Any] = {}
        for figure, by_path in self.samples.items():
            paths: dict[str, Any] = {}
            for path, values in by_path.items():
                if figure == "echo_under_flood":
                    pooled = [x for trial in values for x in trial["echo_ms"]]
                    floods = [x for trial in values for x in trial["flood_s"]]
                    paths[path] = {"p50": percentile(pooled, 50), "p99": percentile(pooled, 99),
                                   "max": round(max(pooled), 3) if pooled else None,
                                   "keystrokes": len(pooled),
                                   "flood_bytes": self.plan.flood_bytes, "floods": len(floods),
                                   "flood_seconds": {"median": median(floods),
                                                     "max": round(max(floods), 3)}}
                elif figure == "keystroke_echo":
                    pooled = [x for trial in values for x in trial]
                    paths[path] = {"p50": percentile(pooled, 50), "p99": percentile(pooled, 99),
                                   "max": round(max(pooled), 3), "keystrokes": len(pooled),
                                   "p99_per_repetition": [percentile(t, 99) for t in values]}
                else:
                    paths[path] = {"median": median(values), "samples": [round(v, 4) for v in values]}
            out[figure] = {"unit": units[figure], "paths": paths}
            if figure == "pty_tracking":
                out[figure]["bastion_cpu_ms_per_MB"] = {
                    mode: median([1000 * c / (self.plan.pty_bytes / measure.MB) for c in cpu])
                    for mode, cpu in self.tracking_cpu.items() if cpu}
                out[figure]["command_lines_logged_per_trial"] = self.tracking_lines
            if (cpu := self.bastion_cpu.get(figure)) and figure in CPU_PER:
                per, unit = self._cpu_unit(figure)
                system = self.bastion_system[figure]
                out[figure]["bastion_cpu"] = {
                    "seconds_per_trial": [round(c, 3) for c in cpu],
                    f"ms_per_{unit}": median([1000 * c / per for c in cpu]),
                    "system_share": round(sum(system) / sum(cpu), 2) if sum(cpu) else None,
                }
        return out

    def _cpu_unit(self, figure: str) -> tuple[float, str]:
        """What one trial of `figure` moved: the bastion's CPU time is given per this (a trial's
        session set-up included, a few tens of ms)."""
        plan = self.plan
        per = {"exec_throughput": plan.exec_bytes / measure.MB,
               "pty_bulk": plan.pty_bytes / measure.MB, "session_setup": 1}[figure]
        return per, CPU_PER[figure]

    def concurrency(self) -> list[dict[str, Any]]:
        runs = []
        for sessions in self.plan.concurrency:
            for path in self.plan.concurrency_paths:
                if path != "bastion" and sessions > self.plan.baseline_up_to:
                    continue  # opening hundreds of sessions is slow; the goal is the bastion's
                pid = None
                if path == "bastion":
                    pid = self.rig.restart_bastion().pid  # a fresh process: memory from zero
                say(f"  {sessions} sessions along {path}: opening, then typing for "
                    f"{self.plan.typing_seconds:g} s")
                result = asyncio.run(load.run(self.rig, path, sessions,
                                              typing_seconds=self.plan.typing_seconds,
                                              interval=self.plan.key_interval_s, server_pid=pid))
                summary = result.as_dict()
                runs.append(summary)
                server = summary["server"]
                say(f"    opened {summary['opened']}/{sessions} in {summary['open_seconds']} s; "
                    f"echo p50 {summary['echo_ms']['p50']} ms, p99 {summary['echo_ms']['p99']} ms"
                    + (f"; bastion {server['rss_per_session_kib']} KiB/session, "
                       f"{server['cpu_percent_typing']}% CPU typing" if server else ""))
                for error in summary["errors"]:
                    say(f"    sessions not opened: {error}")
                for stalled in summary["stalled"]:
                    say(f"    {summary['stalled_sessions']} sessions stalled: {stalled}")
                if not summary["opened"]:
                    self.errors.append(f"concurrency {sessions} {path}: no session opened: "
                                       f"{'; '.join(summary['errors'])}")
        return runs


def profile_bastion(rig: Rig, plan: Plan, folder: Path) -> dict[str, Any]:
    """The bastion's profile under each load; the typing load is profiled from its first key."""
    sessions = min(plan.concurrency or (PROFILE_SESSIONS,))

    def exec_load(begin: Callable[[], None]) -> None:
        begin()
        measure.exec_throughput(rig, "bastion", plan.exec_bytes)

    def pty_load(begin: Callable[[], None]) -> None:
        begin()
        measure.pty_bulk(rig, "bastion", plan.pty_bytes)

    def typing_load(begin: Callable[[], None]) -> None:
        asyncio.run(load.run(rig, "bastion", sessions, typing_seconds=plan.typing_seconds,
                             interval=plan.key_interval_s, on_typing=begin))

    loads = {"exec_throughput": exec_load, "pty_bulk": pty_load,
             f"typing_{sessions}_sessions": typing_load}
    found = {}
    for name, run_load in loads.items():
        say(f"  profiling the bastion under {name}")
        found[name] = profile.profile_load(rig, run_load, folder / f"profile-{name}")
        for frame, share in found[name]["self"][:8]:
            say(f"    {share:5.1f}%  {frame}")
    return found


def main(argv: list[str] | None = None) -> int:
    args, plan = parse_args(argv)
    started = time.time()
    facts = machine()
    say(f"bench: {facts['nproc']} CPUs ({facts['cpu']}), {facts['openssh']}, "
        f"asyncssh {facts['asyncssh']}, Python {facts['python']}")
    results: dict[str, Any] = {"started": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(started)),
                               "mode": "quick" if args.quick else "full" if args.full else "normal"}
    if "policy" not in args.skip:
        say("policy decision time (in process)")
        policy_file = REPO / "config" / "policy.toml"
        results["policy"] = micro.policy_decision(policy_file, plan.micro_seconds)
        results["policy"]["policy_file"] = str(policy_file.relative_to(REPO))
    if "certs" not in args.skip:
        say("certificate minting rate (in process)")
        results["certificates"] = micro.cert_minting(plan.micro_seconds)

    folder = Path(tempfile.mkdtemp(prefix="bastion-bench-"))
    rig = Rig(folder, ciphers=args.ciphers)
    runner = Runner(rig, plan)
    if os.getloadavg()[0] > (facts["nproc"] or 1):
        say(f"warning: the machine is busy (load average {os.getloadavg()[0]:.2f} on "
            f"{facts['nproc']} CPUs); figures, latencies above all, will be noisy")
    try:
        say(f"starting the target sshd, the jump sshd and `bastion serve` in {folder}")
        rig.start()
        runner.note_load("set-up")
        tracking = command_tracking(rig)
        say(f"command tracking: {'on' if tracking['active'] else 'off'} ({tracking['how']})")
        ciphers = {path: measure.negotiated_ciphers(rig, path) for path in PATHS}
        runner.per_path_figures(args.skip)
        if "tracking" not in args.skip:
            say("bulk pty output with command tracking on and off (bench.untracked)")
            runner.tracking()
        if "flood" not in args.skip:
            say(f"keystroke echo while another session sends {plan.flood_bytes:,}-byte "
                "unfinished statements")
            runner.flood()
        if "concurrency" not in args.skip and plan.concurrency:
            say("concurrent sessions (asyncssh clients in this process)")
            results["concurrency"] = runner.concurrency()
            runner.note_load("concurrency")
        if args.profile:
            say("profiles")
            results["profile"] = profile_bastion(rig, plan, folder)
            runner.note_load("profiles")
        kept = recorded(rig)
    except Exception as exc:
        say(f"bench failed: {exc!r}\n{rig.logs()}")
        raise
    finally:
        rig.dispose(args.keep, say)
    results["figures"] = runner.summaries()
    results["settings"] = {
        "machine": {**facts, "load_average_1min_after": runner.load_average,
                    "cpu_pressure_percent": runner.cpu_pressure},
        "client_ciphers_option": args.ciphers,
        "plan": asdict(plan),
        "recording": {"on": True, "what_the_bastion_kept": kept},
        "command_tracking": tracking,
        "bastion_settings_changed": BASTION_SETTINGS,
        "client_ciphers": ciphers,
        "notes": [
            "MB = 10**6 bytes. exec throughput is timed from the first byte received to the end.",
            "pty bulk is timed from the command's submit key to a marker printed after the output.",
            "pty_tracking: pty bulk along the bastion, `tracked` the real server, `untracked` "
            "`python -m bench.untracked` (no command gate on pty shells; recording and keystroke "
            "redaction on in both); a fresh server process per trial.",
            "keystroke echo: `ssh -tt` on a pty of the bench, keys typed to `cat` in the target's "
            "pty; percentiles pooled over repetitions.",
            "echo_under_flood: keystroke echo as above, counting only keys typed while another "
            "session's unfinished statement (`echo '` then two-byte lines) was on its way through "
            "the bastion to `bash` without a pty; flood_seconds from its first byte to a marker "
            "echoed after it.",
            "the bastion's client hop negotiates curve25519-sha256 (asyncssh has no sntrup761), "
            "while OpenSSH to OpenSSH hops negotiate sntrup761x25519-sha512; the bastion's "
            "upstream hop is asyncssh to sshd.",
            "concurrency: one repetition per session count; the bastion is restarted before each "
            "count so RSS per session is measured from a fresh process.",
        ],
    }
    results["errors"] = runner.errors
    results["goals"] = report.goals(results)
    results["duration_s"] = round(time.time() - started, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    say("")
    say(report.table(results))
    say(f"\nresults written to {args.out} ({results['duration_s']} s)")
    return 1 if runner.errors else 0


if __name__ == "__main__":
    sys.exit(main())
