"""Writes pytest's rewritten bytecode of the test modules once, before `make test` starts its
workers (the Makefile runs it).

Every pytest-xdist worker collects the whole suite, and pytest rewrites the asserts of each test
module it imports. It keeps the result in `__pycache__`, but not where PYTHONDONTWRITEBYTECODE is
set (containers, CI images): then each of the three workers rewrote all 140 modules, about 11 s
of CPU each, on a suite that is CPU-bound. Written here once, in parallel, the workers read it
(pytest reads a cached rewrite whatever PYTHONDONTWRITEBYTECODE says, and checks it against the
source's size and time). This uses pytest's own rewriting functions, which are not public: when
they are not there, or anything fails, it says so in one line and the suite runs as before.
"""

from __future__ import annotations

import os
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from types import SimpleNamespace

TESTS = Path(__file__).resolve().parent


def _write(path: str) -> None:
    from _pytest.assertion import rewrite

    source = Path(path)
    stat, code = rewrite._rewrite_test(source, None)
    folder = rewrite.get_cache_dir(source)
    folder.mkdir(exist_ok=True)
    rewrite._write_pyc(SimpleNamespace(trace=lambda *_: None), code, stat,
                       folder / (source.name[:-3] + rewrite.PYC_TAIL))


def main() -> int:
    modules = [str(p) for p in [*sorted(TESTS.glob("test_*.py")), TESTS / "conftest.py"]]
    workers = max(1, len(os.sched_getaffinity(0)))
    try:
        with ProcessPoolExecutor(workers) as pool:
            list(pool.map(_write, modules, chunksize=8))
    except Exception as exc:  # the cache only saves time: the suite runs without it
        print(f"rewrite_cache: not written ({type(exc).__name__}: {exc})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
