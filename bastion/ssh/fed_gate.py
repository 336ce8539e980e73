"""The gate for an exec command whose program no table reads and that may take its program from
its standard input (`reads_script_from_stdin` gives "program": `mytool` with no operand).

Most such commands read nothing there (`ssh host ./healthcheck`), so nothing is held while the
client sends nothing, and an honest command runs at once. Its first byte of data is held, with
the policy's `unknown` action, before any of it reaches the program: that data may be a program
the bastion cannot read (an interpreter no table knows, outside attack a10f finding 10). Once a
supervisor confirms, everything passes; refused, nothing the client sent reaches the program,
which gets end of input instead. bastion.ssh.gate picks the gate a channel gets (`make_gate`).
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

from bastion.command_control import policy
from bastion.ssh.judge import NOT_RECORDED, Judge
from bastion.ssh.stdin_gate import tell
from bastion.store import StoreError

if TYPE_CHECKING:
    from bastion.runtime.app import Runtime
    from bastion.ssh.channel import GatedChannel

log = logging.getLogger("bastion.ssh.gate")


class FedGate:
    """States: "quiet" (nothing sent yet: nothing held), "held" (the first data waits for the
    verdict or a supervisor, the client paused), "open" (data passes), "refused" (data is
    dropped; the program got end of input)."""

    def __init__(self, app: Runtime, channel: GatedChannel) -> None:
        self.app = app
        self.ch = channel
        self.judge = Judge(app, channel)
        self.state = "quiet"
        self.queue = bytearray()
        self.eof_seen = False
        self.closed = False
        self.cancelled = asyncio.Event()

    def client_input(self, data: bytes) -> None:
        if self.closed or not data or self.state == "refused":
            return
        if self.state == "open":
            self.ch.send_input(data)
            return
        self.queue += data
        self.ch.hold_client("gate")  # what waits is bounded by the channel's window
        if self.state == "quiet":
            self.state = "held"
            self._judge()

    def _judge(self) -> None:
        command = self.ch.command or ""
        line = f"{command} (given data on its standard input)"
        v = policy.Verdict(self.judge.policy.defaults.unknown, "defaults.unknown",
                           "it may take the data sent to it as its program, which the policy "
                           "cannot read", line, ())
        try:
            self.judge.record(line, v)
        except StoreError as exc:
            log.error("stdin not passed, its verdict cannot be recorded: %s", exc)
            self._refuse(NOT_RECORDED)
            return
        if v.action in ("allow", "alert"):
            self._open()
        elif v.action == "deny":
            self._refuse(f"denied: {v.message}")
        else:
            self._tell(f"held for a supervisor: {v.message}")
            asyncio.get_running_loop().create_task(self._hold(line, v))

    async def _hold(self, line: str, v: policy.Verdict) -> None:
        state, why = await self.judge.hold_unless_store_fails(line, v, self.cancelled)
        if self.closed:
            return
        if state == "confirmed":
            self._open()
        else:
            self._refuse(f"{state}: {why}")

    def _open(self) -> None:
        self.state = "open"
        if self.queue:
            self.ch.send_input(bytes(self.queue))
            self.queue.clear()
        self.ch.release_client("gate")
        if self.eof_seen:
            self.ch.send_eof()

    def _refuse(self, message: str) -> None:
        self.state = "refused"
        self.queue.clear()
        self._tell(message)
        self.ch.send_eof()  # the program reads end of input, never what was refused
        self.ch.release_client("gate")  # what the client sends from now on is dropped

    def _tell(self, message: str) -> None:
        tell(self.ch, message)

    def eof(self) -> None:
        self.eof_seen = True
        if self.state in ("quiet", "open"):
            self.ch.send_eof()

    def target_output(self, data: bytes) -> None:
        pass

    def output_withheld(self, withheld: bool) -> None:
        pass

    def resize(self, cols: int, rows: int) -> None:
        pass

    def close(self) -> None:
        self.closed = True
        self.cancelled.set()
