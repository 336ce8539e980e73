"""Where the bastion process spends its time under one load.

With py-spy (a sampling profiler: `.venv/bin/pip install py-spy`) the running `bastion serve` is
sampled from outside while the load runs, without slowing it much. Without py-spy, the bastion is
restarted under cProfile for the load (slower, but needs nothing installed). Either way the
result is the top functions by own time ("self") and by time including callees ("inclusive"),
as shares of the samples (or of profiled time) taken while the process was busy. py-spy samples
only while the bastion holds the GIL (`--gil`): Python's own work. Time in system calls (sends
and receives on sockets, about a sixth of the bastion's CPU time) and time spent waiting for a
CPU on a busy machine are left out, which otherwise show up as time "in" socket writes.
"""

from __future__ import annotations

import pstats
import shutil
import signal
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.rig import Rig

TOP = 20
SCAFFOLDING = 0.95
PRODUCT = "bastion"
# The product's frames that only start the process and its event loop.
ENTRY_POINTS = ("<module> (bastion/__main__.py", "main (bastion/cli/__init__.py",
                "cmd_serve (bastion/cli/__init__.py",
                "run (bastion/ssh/server.py")
SAMPLE_RATE = 250
_STOP_TIMEOUT = 60


def py_spy() -> str | None:
    """The py-spy executable (beside this interpreter, or on PATH), if installed."""
    beside = Path(sys.executable).with_name("py-spy")
    return str(beside) if beside.exists() else shutil.which("py-spy")


def profile_load(rig: Rig, load: Callable[[Callable[[], None]], Any], out: Path
                 ) -> dict[str, Any]:
    """Run `load(begin)` once against a freshly started bastion and profile the bastion.

    With py-spy, sampling starts when the load calls `begin()` (so a load can leave its set-up
    out) and ends with the load; cProfile covers the bastion's whole life. Leaves a fresh,
    unprofiled bastion running.
    """
    tool = py_spy()
    try:
        if tool is not None:
            rig.restart_bastion()
            samplers: list[subprocess.Popen] = []

            def begin() -> None:
                samplers.append(subprocess.Popen(
                    [tool, "record", "--pid", str(rig.bastion.pid), "--rate", str(SAMPLE_RATE),
                     "--format", "raw", "--function", "--nonblocking", "--gil", "--output", str(out)],
                    stdout=subprocess.DEVNULL, stderr=subprocess.PIPE))

            try:
                load(begin)
            finally:
                for sampler in samplers:
                    sampler.send_signal(signal.SIGINT)
                    sampler.communicate(timeout=_STOP_TIMEOUT)
            if not out.exists():
                raise RuntimeError("py-spy wrote no profile")
            return {"tool": "py-spy", **top_of_collapsed(out)}
        rig.restart_bastion(prefix=("-m", "cProfile", "-o", str(out)))
        load(lambda: None)
        rig.restart_bastion()  # a clean stop writes the profile
        return {"tool": "cProfile", **top_of_pstats(out)}
    finally:
        if rig.bastion is None or rig.bastion.proc is None or rig.bastion.prefix:
            rig.restart_bastion()


def top_of_collapsed(path: Path, top: int = TOP) -> dict[str, Any]:
    """Top functions of a py-spy `--format raw` file (one "frame;frame;... count" per line): by
    own samples, by samples including callees (frames in nearly every sample left out), and the
    latter for the product's own code (`bastion/`) alone."""
    own: dict[str, int] = {}
    inclusive: dict[str, int] = {}
    total = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        frames = [_short(frame) for frame in stack.split(";")]
        total += count
        own[frames[-1]] = own.get(frames[-1], 0) + count
        for frame in set(frames):
            inclusive[frame] = inclusive.get(frame, 0) + count
    # Frames in nearly every sample are the event loop's scaffolding and say nothing.
    busy = {frame: n for frame, n in inclusive.items() if n < SCAFFOLDING * total}
    ours = {frame: n for frame, n in busy.items()
            if f"({PRODUCT}/" in frame and not frame.startswith(ENTRY_POINTS)}
    return {"samples": total, "self": _shares(own, total, top),
            "inclusive": _shares(busy, total, top),
            "inclusive_bastion_code": _shares(ours, total, top)}


def top_of_pstats(path: Path, top: int = TOP) -> dict[str, Any]:
    """Top functions of a cProfile output file: by own time, as shares of the time spent
    working (waiting in epoll is idle and left out), and by cumulative time, as shares of the
    process's life."""
    stats = pstats.Stats(str(path))
    rows = {key: value for key, value in stats.stats.items()  # type: ignore[attr-defined]
            if "epoll" not in key[2]}
    total = sum(tt for _, _, tt, _, _ in rows.values()) or 1.0

    def name(key: tuple[str, int, str]) -> str:
        file, line, func = key
        return _short(f"{func} ({file}:{line})")

    own = {name(k): v[2] for k, v in rows.items()}
    cumulative = {name(k): v[3] for k, v in rows.items()}
    # cumulative times include the idle waits below them: shares of the whole process's life
    life = max(cumulative.values(), default=1.0) or 1.0
    return {"profiled_seconds": round(total, 2), "self": _shares(own, total, top),
            "inclusive": _shares(cumulative, life, top)}


def _shares(counts: dict[str, float], total: float, top: int) -> list[tuple[str, float]]:
    ranked = sorted(counts.items(), key=lambda item: item[1], reverse=True)[:top]
    return [(frame, round(100 * value / (total or 1), 1)) for frame, value in ranked]


def _short(frame: str) -> str:
    """`func (/long/path/site-packages/asyncssh/channel.py:12)` -> `func (asyncssh/channel.py:12)`."""
    for marker in ("site-packages/", "/lib/python3.", str(Path(__file__).resolve().parent.parent) + "/"):
        at = frame.find(marker)
        if at >= 0:
            rest = frame[at + len(marker):]
            if marker.startswith("/lib/python3."):
                rest = "stdlib/" + rest.split("/", 1)[-1]
            return frame[:frame.find("(") + 1] + rest
    return frame
