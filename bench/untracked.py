"""`bastion serve` with command tracking switched off, for the bench only.

    python -m bench.untracked --home HOME serve --listen ADDR

The same command line as `python -m bastion ... serve`, except that an interactive (pty) shell
gets no command gate: no terminal model, no command-line reconstruction, no policy. Recording and
keystroke redaction stay on. The bench runs this next to the real server to measure what
tracking costs bulk output (`make bench` figure `tracking`). The product has no such switch:
command control is not something a configuration file should be able to turn off quietly. This
process gives the server a gate factory of its own (bastion.ssh.server.run's `gate_factory`).
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

from bastion.cli import build_parser, cmd_serve
from bastion.runtime.home import Home, open_home, require_private
from bastion.ssh import gate, server


def untracked_gate(app: Any, channel: Any) -> gate.Gate | None:
    """The product's gate factory, except that a pty shell gets no gate."""
    if channel.kind == "shell" and channel.term is not None:
        return None
    return gate.make_gate(app, channel)


def serve(argv: Sequence[str] | None = None) -> int:
    """`bastion serve` (the same arguments) with `untracked_gate`."""
    os.umask(0o077)  # as bastion.cli.main: everything the bastion writes is private
    args = build_parser().parse_args(argv)
    if getattr(args, "local", None) is not cmd_serve:
        sys.exit("bench.untracked runs `serve` only")
    ctx = open_home(Home.resolve(args.home))
    try:
        require_private(ctx.home)
        return server.run(ctx, listen=args.listen, gate_factory=untracked_gate)
    finally:
        ctx.close()


if __name__ == "__main__":
    sys.exit(serve())
