"""`make soak`: many sessions through the bastion for a long time, looking for leaks.

    python -m bench.soak [--sessions 500] [--minutes 10] [--churn 60] [--key-interval 1.0]
                         [--sample-every 30] [--out bench/soak.json] [--keep]

`--sessions` pty sessions are held open through one `bastion serve` (asyncssh clients in this
process, loopback only), each typing a key every `--key-interval` seconds into `cat` on the
target and timing its echo. Meanwhile `--churn` sessions a minute are closed and replaced by new
ones, and an exec session runs every few seconds, so sessions keep being made and thrown away:
what leaks per session shows as growth. Every `--sample-every` seconds the bastion logs its own
figures (SIGUSR1: connections, sessions, asyncio tasks, open file descriptors, resident memory).

Before the load, a warm-up opens and closes a few sessions and the bastion's figures are taken
(the baseline); after it, every session is closed and the figures are taken again once the
bastion holds no connection. The run passes when the bastion is back to its baseline file
descriptors and tasks (within `FD_SLACK`/`TASK_SLACK`), its memory did not keep growing over the
second half of the load (`RSS_SLOPE_LIMIT`), every session kept answering, and it stayed up.
Everything is bounded: every wait has a timeout, and the run stops by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import json
import random
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncssh

from bastion import audit, recording
from bench import load
from bench.rig import Rig
from bench.stats import percentile

DEFAULT_OUT = Path(__file__).resolve().parent / "soak.json"
FD_SLACK = 4          # descriptors the bastion may hold past its baseline when idle again
TASK_SLACK = 2        # asyncio tasks likewise
RSS_SLOPE_LIMIT = 5.0  # MiB a minute the bastion may still grow over the second half of the load
WARMUP_SESSIONS = 10
EXEC_EVERY = 5.0      # seconds between exec sessions during the load
IDLE_TIMEOUT = 120.0  # for the bastion to be back at no connection after the load
STATS_TIMEOUT = 10.0
OPEN_RETRIES = 3


class SoakError(RuntimeError):
    pass


def server_stats(rig: Rig) -> dict[str, int]:
    """Ask the bastion for its figures (SIGUSR1) and read the line it logs."""
    assert rig.bastion is not None and rig.bastion.proc is not None
    log_path = rig.bastion.log
    start = log_path.stat().st_size
    rig.bastion.proc.send_signal(signal.SIGUSR1)
    deadline = time.monotonic() + STATS_TIMEOUT
    while time.monotonic() < deadline:
        with open(log_path, "rb") as f:
            f.seek(start)
            text = f.read().decode("utf-8", "replace")
        if match := re.search(r"stats: (.*)\n", text):
            return {k: int(v) for k, v in re.findall(r"(\w+)=(-?\d+)", match.group(1))}
        time.sleep(0.05)  # a log file gives no notification; poll it
    raise SoakError(f"the bastion logged no stats within {STATS_TIMEOUT:g} s")


async def _stats(rig: Rig) -> dict[str, int]:
    return await asyncio.to_thread(server_stats, rig)


async def _idle_stats(rig: Rig, timeout: float = IDLE_TIMEOUT) -> dict[str, int]:
    """The bastion's figures once it holds no connection and no session."""
    deadline = time.monotonic() + timeout
    while True:
        stats = await _stats(rig)
        if stats["connections"] == 0 and stats["sessions"] == 0:
            return stats
        if time.monotonic() > deadline:
            raise SoakError(f"the bastion still holds {stats['connections']} connections and "
                            f"{stats['sessions']} sessions {timeout:g} s after the load")
        await asyncio.sleep(1.0)


@dataclass
class Soak:
    rig: Rig
    sessions: int
    seconds: float
    churn_per_minute: float
    key_interval: float
    sample_every: float
    echo_ms: list[float] = field(default_factory=list)
    samples: list[dict[str, Any]] = field(default_factory=list)
    opened: int = 0
    replaced: int = 0
    execs: int = 0
    errors: list[str] = field(default_factory=list)
    stalls: list[str] = field(default_factory=list)

    async def _open(self) -> load._Held:
        last: BaseException | None = None
        for _ in range(OPEN_RETRIES):
            try:
                held = await asyncio.wait_for(load._open(self.rig, "bastion"), load.OPEN_TIMEOUT)
                self.opened += 1
                return held
            except (OSError, TimeoutError, ConnectionError, asyncssh.Error) as exc:
                last = exc
                self.errors.append(load._describe(exc))
                await asyncio.sleep(1.0)
        raise SoakError(f"a session did not open in {OPEN_RETRIES} tries: {load._describe(last)}")

    async def _slot(self, number: int, held: load._Held, until: float, recycle: list[bool]
                    ) -> None:
        """One seat: types into its session until the end, and replaces the session whenever
        the churner picks this seat."""
        typed = 0
        await asyncio.sleep(random.random() * self.key_interval)
        try:
            while (tick := time.monotonic()) < until:
                if recycle[number]:
                    recycle[number] = False
                    held.conn.close()
                    await asyncio.wait_for(held.conn.wait_closed(), load.CLOSE_TIMEOUT)
                    held = await self._open()
                    self.replaced += 1
                    typed = 0
                    continue
                if typed and typed % load.KEYS_PER_LINE == 0:
                    held.chan.write(load._KILL_LINE)
                key = bytes([ord("a") + typed % 26])
                sent = time.monotonic()
                held.chan.write(key)
                echoed = await held.keyboard.printed(key, load.ECHO_TIMEOUT)
                self.echo_ms.append((echoed - sent) * 1000)
                typed += 1
                await asyncio.sleep(max(0.0, tick + self.key_interval - time.monotonic()))
        except (TimeoutError, ConnectionError, asyncssh.Error, SoakError) as exc:
            self.stalls.append(f"seat {number}: {load._describe(exc)} after {typed} keys")
        finally:
            held.conn.close()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(held.conn.wait_closed(), load.CLOSE_TIMEOUT)

    async def _churn(self, until: float, recycle: list[bool]) -> None:
        """Pick a seat to replace its session every so often (it does so at its next key)."""
        if self.churn_per_minute <= 0:
            return
        gap = 60.0 / self.churn_per_minute
        while time.monotonic() + gap < until:
            await asyncio.sleep(gap)
            recycle[random.randrange(self.sessions)] = True

    async def _execs(self, until: float) -> None:
        while time.monotonic() + EXEC_EVERY < until:
            await asyncio.sleep(EXEC_EVERY)
            try:
                conn = await asyncio.wait_for(self.rig.connect("bastion"), load.OPEN_TIMEOUT)
                async with conn:
                    done = await asyncio.wait_for(conn.run("echo soak-exec", encoding=None),
                                                  load.OPEN_TIMEOUT)
                if done.stdout != b"soak-exec\n":
                    self.errors.append(f"exec printed {done.stdout[:80]!r}")
                self.execs += 1
            except (OSError, TimeoutError, asyncssh.Error) as exc:
                self.errors.append(f"exec: {load._describe(exc)}")

    async def _sample(self, start: float, until: float) -> None:
        while time.monotonic() < until:
            stats = await _stats(self.rig)
            self.samples.append({"t": round(time.monotonic() - start, 1), **stats})
            await asyncio.sleep(min(self.sample_every, max(0.0, until - time.monotonic())))

    async def run(self) -> dict[str, Any]:
        rig = self.rig
        # Warm-up: whatever the first sessions allocate once (imports, caches) is not a leak.
        warm = [await self._open() for _ in range(WARMUP_SESSIONS)]
        await load._close_all(warm)
        baseline = await _idle_stats(rig)
        gate = asyncio.Semaphore(load.OPEN_PARALLEL)

        async def open_one() -> load._Held:
            async with gate:
                return await self._open()

        opening = time.monotonic()
        held = await asyncio.gather(*(open_one() for _ in range(self.sessions)))
        open_seconds = time.monotonic() - opening
        start = time.monotonic()
        until = start + self.seconds
        recycle = [False] * self.sessions
        await asyncio.gather(
            *(self._slot(n, h, until, recycle) for n, h in enumerate(held)),
            self._churn(until, recycle), self._execs(until), self._sample(start, until))
        loaded = await _stats(rig)
        self.samples.append({"t": round(time.monotonic() - start, 1), **loaded})
        after = await _idle_stats(rig)
        result = self._verdict(baseline, after, open_seconds)
        result["recordings"] = check_recordings(rig)
        result["checks"]["every recording closed, valid and matching its digest"] = (
            not result["recordings"]["problems"])
        result["checks"]["audit chain verifies"] = result["recordings"]["audit_chain_ok"]
        result["passed"] = all(result["checks"].values())
        return result

    def _verdict(self, baseline: dict[str, int], after: dict[str, int], open_seconds: float
                 ) -> dict[str, Any]:
        under_load = [s for s in self.samples if s["sessions"] > 0]
        half = [s for s in under_load if s["t"] >= self.seconds / 2]
        slope = None
        if len(half) >= 2 and half[-1]["t"] > half[0]["t"]:
            slope = round((half[-1]["rss_kib"] - half[0]["rss_kib"]) / 1024
                          / ((half[-1]["t"] - half[0]["t"]) / 60), 2)
        peak = max((s["rss_kib"] for s in under_load), default=baseline["rss_kib"])
        echo = sorted(self.echo_ms)
        checks = {
            "fds back to baseline": after["fds"] - baseline["fds"] <= FD_SLACK,
            "tasks back to baseline": after["tasks"] - baseline["tasks"] <= TASK_SLACK,
            "memory flat over the second half": slope is not None and slope <= RSS_SLOPE_LIMIT,
            "every session kept answering": not self.stalls,
        }
        return {
            "sessions": self.sessions, "minutes": round(self.seconds / 60, 2),
            "churn_per_minute": self.churn_per_minute, "key_interval_s": self.key_interval,
            "open_seconds": round(open_seconds, 1),
            "sessions_opened": self.opened, "sessions_replaced": self.replaced,
            "exec_sessions": self.execs, "keystrokes": len(echo),
            "echo_ms": {"p50": percentile(echo, 50), "p99": percentile(echo, 99),
                        "max": round(echo[-1], 1) if echo else None},
            "baseline": baseline, "after": after,
            "leaked": {"fds": after["fds"] - baseline["fds"],
                       "tasks": after["tasks"] - baseline["tasks"],
                       "rss_mib_after_vs_baseline": round(
                           (after["rss_kib"] - baseline["rss_kib"]) / 1024, 1)},
            "rss_peak_mib": round(peak / 1024, 1),
            "rss_per_session_kib": round((peak - baseline["rss_kib"]) / max(self.sessions, 1), 1),
            "rss_slope_second_half_mib_per_min": slope,
            "checks": checks, "passed": all(checks.values()),
            "errors": sorted(set(self.errors))[:20], "error_count": len(self.errors),
            "stalls": self.stalls[:20], "stall_count": len(self.stalls),
            "samples": self.samples,
        }


def check_recordings(rig: Rig) -> dict[str, Any]:
    """Every recording the bastion listed: closed, its file's SHA-256 the stored one, and
    readable as what it claims to be (asciicast v2, or an exec record with its end line)."""
    assert rig.ctx is not None
    store = rig.ctx.store
    problems: list[str] = []
    rows = store.all("SELECT path, kind, ended, sha256 FROM recordings")
    longest = 0.0
    for row in rows:
        path = rig.home.recordings / Path(row["path"]).name
        try:
            data = path.read_bytes()
            if row["ended"] is None or hashlib.sha256(data).hexdigest() != row["sha256"]:
                problems.append(f"{path.name}: not closed, or its digest differs")
            elif path.suffix == ".cast":
                _, events = recording.read_cast(path)
                longest = max(longest, events[-1][0] if events else 0.0)
            elif recording.read_exec_record(path)["ended"] is None:
                problems.append(f"{path.name}: no end line")
        except (OSError, recording.RecordingError) as exc:
            problems.append(f"{path.name}: {exc}")
    return {"count": len(rows), "problems": problems[:20], "problem_count": len(problems),
            "longest_cast_seconds": round(longest, 1),
            "audit_chain_ok": audit.verify(store).ok}


def soak(rig: Rig, sessions: int, seconds: float, churn_per_minute: float = 60.0,
         key_interval: float = 1.0, sample_every: float = 30.0) -> dict[str, Any]:
    """Run one soak against a started rig; returns its figures and verdict."""
    return asyncio.run(Soak(rig, sessions, seconds, churn_per_minute, key_interval,
                            sample_every).run())


def table(result: dict[str, Any]) -> str:
    b, a = result["baseline"], result["after"]
    lines = [
        f"{result['sessions']} sessions for {result['minutes']} min (opened in "
        f"{result['open_seconds']} s); {result['sessions_replaced']} replaced, "
        f"{result['exec_sessions']} exec sessions, {result['keystrokes']} keys echoed "
        f"(p50 {result['echo_ms']['p50']} ms, p99 {result['echo_ms']['p99']} ms)",
        f"{'':<14}{'baseline':>10}{'peak/last':>11}{'after':>10}",
        f"{'fds':<14}{b['fds']:>10}{result['samples'][-1]['fds']:>11}{a['fds']:>10}",
        f"{'tasks':<14}{b['tasks']:>10}{result['samples'][-1]['tasks']:>11}{a['tasks']:>10}",
        f"{'RSS MiB':<14}{b['rss_kib'] / 1024:>10.1f}{result['rss_peak_mib']:>11.1f}"
        f"{a['rss_kib'] / 1024:>10.1f}",
        f"RSS per held session {result['rss_per_session_kib']} KiB; growth over the second half "
        f"{result['rss_slope_second_half_mib_per_min']} MiB/min",
    ]
    rec = result.get("recordings")
    if rec:
        lines.append(f"{rec['count']} recordings checked, {rec['problem_count']} with problems; "
                     f"longest session {rec['longest_cast_seconds']} s")
    for name, ok in result["checks"].items():
        lines.append(f"  {'ok ' if ok else 'NO '} {name}")
    if result["error_count"]:
        lines.append(f"  {result['error_count']} open errors (retried): "
                     + "; ".join(result["errors"][:3]))
    for stall in result["stalls"][:5]:
        lines.append(f"  stalled: {stall}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.soak", description=__doc__.split("\n")[0])
    parser.add_argument("--sessions", type=int, default=500)
    parser.add_argument("--minutes", type=float, default=10.0)
    parser.add_argument("--churn", type=float, default=60.0, help="sessions replaced a minute")
    parser.add_argument("--key-interval", type=float, default=1.0)
    parser.add_argument("--sample-every", type=float, default=30.0)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    parser.add_argument("--keep", action="store_true", help="keep the rig's folder")
    args = parser.parse_args(argv)
    if not 1 <= args.sessions <= 2000:
        parser.error("--sessions must be between 1 and 2000")
    if not 0 < args.minutes <= 120:
        parser.error("--minutes must be more than 0 and at most 120")
    if args.key_interval <= 0 or args.sample_every <= 0 or args.churn < 0:
        parser.error("--key-interval and --sample-every must be positive, --churn not negative")
    folder = Path(tempfile.mkdtemp(prefix="bastion-soak-"))
    rig = Rig(folder)
    try:
        print(f"starting the target sshd and `bastion serve` in {folder}", flush=True)
        rig.start()
        print(f"soaking: {args.sessions} sessions for {args.minutes:g} min", flush=True)
        result = soak(rig, args.sessions, args.minutes * 60, args.churn, args.key_interval,
                      args.sample_every)
        result["traceback_in_log"] = "Traceback" in rig.logs()
        if result["traceback_in_log"]:
            result["checks"]["no traceback in the bastion's log"] = False
            result["passed"] = False
    except SoakError as exc:
        print(f"soak failed: {exc}\n{rig.logs()[-4000:]}", flush=True)
        return 1
    finally:
        rig.dispose(args.keep)
    result["started"] = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(table(result))
    print(f"results written to {args.out}")
    return 0 if result["passed"] else 1


if __name__ == "__main__":
    sys.exit(main())
