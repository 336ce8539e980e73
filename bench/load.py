"""Many interactive sessions held open at once, each typing a key every so often, from asyncssh
clients in this one process: echo latency under load, and what the bastion process costs per
session (resident memory, CPU).

Every session is a pty shell that has become `cat` (`exec cat`), so each key is echoed by the
target's line discipline and the figure is the relay's. Sessions open a bounded number at a
time, typing runs for a fixed time, every wait has a timeout, and everything is closed at the
end whatever happened: a run stops by itself.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import re
import resource
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import asyncssh

from bench.measure import PROMPT, READY, marker_end
from bench.rig import Rig
from bench.stats import percentile

OPEN_PARALLEL = 16
OPEN_TIMEOUT = 60.0
ECHO_TIMEOUT = 10.0
CLOSE_TIMEOUT = 30.0
KEYS_PER_LINE = 40
_KILL_LINE = b"\x15"  # Ctrl-U: the line discipline echoes it as backspaces, no letters
_READY = READY[0] + b"; exec cat\n"
_CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class ProcessSample:
    """A process's resident memory (bytes) and CPU time used so far (seconds), in user space
    and in the kernel (system calls, socket work)."""

    rss: int
    user: float
    system: float
    at: float

    @property
    def cpu(self) -> float:
        return self.user + self.system


def sample_process(pid: int) -> ProcessSample:
    """Read from /proc (Linux); raises OSError once the process is gone."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    with open(f"/proc/{pid}/statm", encoding="ascii") as f:
        resident_pages = int(f.read().split()[1])
    # fields[11], fields[12]: utime, stime (the 14th and 15th fields of stat(5))
    return ProcessSample(rss=resident_pages * _PAGE, user=int(fields[11]) / _CLOCK_TICKS,
                         system=int(fields[12]) / _CLOCK_TICKS, at=time.monotonic())


def cpu_pressure_total() -> float | None:
    """Seconds for which some task on this machine has waited for a CPU (Linux PSI), or None
    where the kernel does not say. Its growth over a run tells how busy the machine was."""
    try:
        with open("/proc/pressure/cpu", encoding="ascii") as f:
            some = f.readline().split()
    except OSError:
        return None
    return int(some[-1].split("=")[1]) / 1e6


def _own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class _Keyboard(asyncssh.SSHClientSession):
    """One held session's client end: notes when an awaited byte string (or a prompt) is
    printed."""

    def __init__(self) -> None:
        self._tail = b""
        self._waiting: tuple[bytes | re.Pattern[bytes], asyncio.Future[float]] | None = None

    def data_received(self, data: bytes, datatype: int | None) -> None:
        self._tail = self._tail[-256:] + data
        if self._waiting is not None:
            marker, future = self._waiting
            end = marker_end(self._tail, marker)
            if end is not None:
                self._tail = self._tail[end:]
                self._waiting = None
                if not future.done():
                    future.set_result(time.monotonic())

    def connection_lost(self, exc: Exception | None) -> None:
        if self._waiting is not None and not self._waiting[1].done():
            self._waiting[1].set_exception(ConnectionError(f"session closed: {exc}"))

    async def printed(self, marker: bytes | re.Pattern[bytes], timeout: float) -> float:
        """The monotonic time at which `marker` was printed (now or later)."""
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self._waiting = (marker, future)
        self.data_received(b"", None)
        return await asyncio.wait_for(future, timeout)


@dataclass
class _Held:
    conn: asyncssh.SSHClientConnection
    chan: asyncssh.SSHClientChannel
    keyboard: _Keyboard


@dataclass
class LoadResult:
    """What one run of N held sessions along one path showed."""

    path: str
    sessions: int
    opened: int = 0
    open_seconds: float = 0.0
    typing_seconds: float = 0.0
    echo_ms: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)   # sessions that did not open
    stalled: list[str] = field(default_factory=list)  # sessions whose typing stopped early
    server: dict[str, Any] = field(default_factory=dict)
    loadgen_cpu_percent: float = 0.0
    cpu_pressure_percent: float | None = None  # share of the typing some task waited for a CPU

    def as_dict(self) -> dict[str, Any]:
        echo = sorted(self.echo_ms)
        return {
            "path": self.path,
            "sessions": self.sessions,
            "opened": self.opened,
            "open_seconds": round(self.open_seconds, 2),
            "typing_seconds": round(self.typing_seconds, 2),
            "keystrokes": len(echo),
            "echo_ms": {"p50": percentile(echo, 50), "p99": percentile(echo, 99),
                        "max": echo[-1] if echo else None},
            "errors": self.errors,
            "stalled_sessions": len(self.stalled),
            "stalled": sorted(set(self.stalled))[:5],
            "server": self.server,
            "loadgen_cpu_percent": round(self.loadgen_cpu_percent, 1),
            "cpu_pressure_percent": self.cpu_pressure_percent,
        }


async def run(rig: Rig, path: str, sessions: int, *, typing_seconds: float,
              interval: float = 0.1, server_pid: int | None = None,
              on_typing: Callable[[], None] | None = None) -> LoadResult:
    """Open `sessions` sessions along `path`, type for `typing_seconds` (one key per session
    every `interval` seconds), then close them. With `server_pid`, that process's memory and
    CPU are sampled before, after opening, and over the typing. `on_typing()` is called when
    the typing begins (a profiler starts there)."""
    result = LoadResult(path=path, sessions=sessions)
    held: list[_Held] = []
    gate = asyncio.Semaphore(OPEN_PARALLEL)
    before = sample_process(server_pid) if server_pid else None

    async def open_one() -> None:
        async with gate:
            held.append(await asyncio.wait_for(_open(rig, path), OPEN_TIMEOUT))

    start = time.monotonic()
    try:
        outcomes = await asyncio.gather(*(open_one() for _ in range(sessions)),
                                        return_exceptions=True)
        result.open_seconds = time.monotonic() - start
        result.opened = len(held)
        result.errors = sorted({_describe(e) for e in outcomes if isinstance(e, BaseException)})
        if on_typing is not None:
            on_typing()
        opened = sample_process(server_pid) if server_pid else None
        cpu_before = _own_cpu()
        waited_before = cpu_pressure_total()
        typing_start = time.monotonic()
        until = typing_start + typing_seconds
        latencies = await asyncio.gather(*(_type(h, until, interval) for h in held))
        result.typing_seconds = time.monotonic() - typing_start
        result.loadgen_cpu_percent = 100 * (_own_cpu() - cpu_before) / result.typing_seconds
        waited_after = cpu_pressure_total()
        if waited_before is not None and waited_after is not None:
            result.cpu_pressure_percent = round(
                100 * (waited_after - waited_before) / result.typing_seconds, 1)
        typed = sample_process(server_pid) if server_pid else None
        for keys, stopped in latencies:
            result.echo_ms.extend(keys)
            if stopped:
                result.stalled.append(stopped)
        if before and opened and typed:
            result.server = _server_figures(before, opened, typed, result.opened,
                                            len(result.echo_ms))
    finally:
        await _close_all(held)
    return result


async def _open(rig: Rig, path: str) -> _Held:
    conn = await rig.connect(path)
    try:
        chan, keyboard = await conn.create_session(_Keyboard, term_type="xterm",
                                                   term_size=(80, 24), encoding=None)
        # as a person does: the bastion refuses a line typed before the shell's prompt
        await keyboard.printed(PROMPT, OPEN_TIMEOUT)
        chan.write(_READY)
        await keyboard.printed(READY[1], OPEN_TIMEOUT)
    except BaseException:
        conn.close()
        raise
    return _Held(conn, chan, keyboard)


async def _type(held: _Held, until: float, interval: float) -> tuple[list[float], str | None]:
    """One session's typing: a key per `interval`, each timed from write to echo (ms), and why
    it stopped early, if it did. A key whose echo never came counts as ECHO_TIMEOUT, so an
    overloaded server shows in the percentiles instead of dropping out of them."""
    latencies: list[float] = []
    # Sessions start at random phases, so keys arrive spread out as people's would.
    await asyncio.sleep(random.random() * interval)
    typed = 0
    try:
        while (tick := time.monotonic()) < until:
            if typed and typed % KEYS_PER_LINE == 0:
                held.chan.write(_KILL_LINE)
            key = bytes([ord("a") + typed % 26])
            sent = time.monotonic()
            held.chan.write(key)
            echoed = await held.keyboard.printed(key, ECHO_TIMEOUT)
            latencies.append((echoed - sent) * 1000)
            typed += 1
            await asyncio.sleep(max(0.0, tick + interval - time.monotonic()))
    except TimeoutError:
        latencies.append(ECHO_TIMEOUT * 1000)
        return latencies, f"no echo within {ECHO_TIMEOUT:g} s after {typed} keys"
    except (ConnectionError, asyncssh.Error) as exc:
        return latencies, f"session lost after {typed} keys: {_describe(exc)}"
    return latencies, None


async def _close_all(held: list[_Held]) -> None:
    for h in held:
        h.conn.close()
    if held:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.gather(*(h.conn.wait_closed() for h in held),
                                                  return_exceptions=True), CLOSE_TIMEOUT)


def _server_figures(before: ProcessSample, opened: ProcessSample, typed: ProcessSample,
                    sessions: int, keystrokes: int) -> dict[str, Any]:
    """RSS per session counts from the process before any session to its peak with all open;
    CPU while typing is a share of one core over the typing (opening excluded)."""
    mib = 1024 * 1024
    per_session = (max(opened.rss, typed.rss) - before.rss) / max(sessions, 1)
    typing_cpu = typed.cpu - opened.cpu
    return {
        "rss_before_mib": round(before.rss / mib, 1),
        "rss_open_mib": round(opened.rss / mib, 1),
        "rss_after_typing_mib": round(typed.rss / mib, 1),
        "rss_per_session_kib": round(per_session / 1024, 1),
        "cpu_ms_per_session_open": round(1000 * (opened.cpu - before.cpu) / max(sessions, 1), 1),
        "cpu_percent_typing": round(100 * typing_cpu / (typed.at - opened.at), 1),
        "cpu_ms_per_keystroke": round(1000 * typing_cpu / max(keystrokes, 1), 3),
        "cpu_system_share_typing": round((typed.system - opened.system) / typing_cpu, 2)
        if typing_cpu else None,
    }


def _describe(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "timed out"
    return f"{type(exc).__name__}: {getattr(exc, 'reason', None) or exc}"[:200]
