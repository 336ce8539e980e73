"""Record how bash's readline edits a line, for the keystroke model's tests (attack d13i).

    python -m tests.readline_rows [SEED [COUNT]]   # (re)writes tests/fixtures/readline_edits.json

Runs a real `bash --norc --noprofile -i` (C.UTF-8, no inputrc) on a pseudo-terminal, binds
C-x C-p with `bind -x` to print READLINE_LINE and READLINE_POINT, and types random sequences of
text and the emacs keys the model follows (edits.py: word moves and kills, transposes, case
changes, undo). Each row is (keys, the line, the cursor) as readline holds them; the tests
replay the keys through the model and compare. Rows are kept only when bash answered.
"""

from __future__ import annotations

import json
import os
import pty
import random
import re
import select
import sys
import time
from pathlib import Path

ROWS = Path(__file__).parent / "fixtures" / "readline_edits.json"
KEYS = ["\x14", "\x1bt", "\x1bb", "\x1bf", "\x1bd", "\x1b\x7f", "\x1bu", "\x1bl", "\x1bc",
        "\x1f", "\x18\x15", "\x1br", "\x01", "\x05", "\x1b[D", "\x1b[C", "\x7f", "\x15", "\x0b",
        "\x17"]
TEXT = [*"abcdeXY12 /-._#\"", "\u00e9"]


def _read_until(fd: int, pattern: bytes, timeout: float = 3.0) -> re.Match | None:
    out, end = b"", time.time() + timeout
    while time.time() < end:
        if select.select([fd], [], [], 0.05)[0]:
            out += os.read(fd, 65536)
            m = re.search(pattern, out, re.S)
            if m:
                return m
    return None


def record(seed: int, count: int) -> list[tuple[str, str, int]]:
    pid, fd = pty.fork()
    if pid == 0:
        os.environ.update(PS1="$ ", TERM="xterm", LANG="C.UTF-8", LC_ALL="C.UTF-8",
                          INPUTRC="/dev/null")
        os.execvp("bash", ["bash", "--norc", "--noprofile", "-i"])  # noqa: S606
    os.write(fd, b"bind -x '\"\\C-x\\C-p\": printf \"\\n<%s|%s>\\n\" \"$READLINE_LINE\" "
                 b"\"$READLINE_POINT\"'\r")
    time.sleep(0.5)
    os.read(fd, 65536)
    rng, rows = random.Random(seed), []
    for _ in range(count):
        seq = [rng.choice(TEXT) if rng.random() < 0.6 else rng.choice(KEYS)
               for _ in range(rng.randint(3, 30))]
        os.write(fd, "".join(seq).encode() + b"\x18\x10")
        m = _read_until(fd, rb"\n<(.*?)\|(\d+)>\r?\n")
        os.write(fd, b"\x01\x0b\r")  # empty the line and accept it: a fresh undo list
        time.sleep(0.15)
        os.read(fd, 65536)
        if m is not None:
            rows.append(("".join(seq), m.group(1).decode(), int(m.group(2))))
    os.write(fd, b"exit\r")
    return rows


if __name__ == "__main__":
    seed = int(sys.argv[1]) if len(sys.argv) > 1 else 2
    rows = record(seed, int(sys.argv[2]) if len(sys.argv) > 2 else 300)
    ROWS.write_text(json.dumps({"bash": "5.2", "seed": seed, "rows": rows}, indent=0,
                               ensure_ascii=True) + "\n")
    print(f"{ROWS}: {len(rows)} rows")
