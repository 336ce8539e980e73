"""`bastion` with command tracking switched off, for the bench only.

    python -m bench.untracked --home HOME serve --listen ADDR

The same command line as `python -m bastion`, except that an interactive (pty) shell gets no
command gate: no terminal model, no command-line reconstruction, no policy. Recording and
keystroke redaction stay on. The bench runs this next to the real server to measure what
tracking costs bulk output (`make bench` figure `tracking`). The product has no such switch:
command control is not something a configuration file should be able to turn off quietly.
"""

from __future__ import annotations

import sys

from bastion.cli import main
from bastion.ssh import proxy

_make_gate = proxy.ProxyChannel._make_gate


def _untracked_gate(self: proxy.ProxyChannel):
    if self.kind == "shell" and self.term is not None:
        return None
    return _make_gate(self)


def untrack() -> None:
    """Give pty shells no gate from now on (this process only)."""
    proxy.ProxyChannel._make_gate = _untracked_gate


if __name__ == "__main__":
    untrack()
    sys.exit(main())
