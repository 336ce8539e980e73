"""Replay a recorded terminal session (tests/fixtures/terminal, see tests/terminal_record.py)
through the type-ahead queue and the tracker, as bastion.ssh.gate.InputGate drives them, against a
simulated target that answers each key with what the real program answered.

The gate lets a key reach the target only once the target has answered the keys it needs to
read (a submit's line, a key the line model does not follow), so the recorded answers hold
whatever the typing speed. Three speeds:

- "slow": one key at a time, each typed once the screen has settled (a person);
- "line": each line typed in one burst, the next one right behind it (a fast typist);
- "script": everything in one burst before the first prompt (`ssh -tt host < script`).

Time is not simulated: a wait the queue asks for runs out only when the target has nothing
more to say, and `Replay.held_by_timer` counts those that held a key back.
"""

from __future__ import annotations

import json
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path

from bastion.command_control import policy
from bastion.command_control.policy import load_policy
from bastion.command_control.terminal import CommandLineTracker, Reconstruction
from bastion.command_control.typeahead import Decide, End, Send, SendEof, TypeAhead, Wait
from bastion.config import DEFAULTS_DIR

FIXTURES = Path(__file__).parent / "fixtures" / "terminal"
SPEEDS = ("slow", "line", "script")
_POLICY: policy.Policy | None = None


def default_policy() -> policy.Policy:
    global _POLICY
    if _POLICY is None:
        _POLICY = load_policy(DEFAULTS_DIR / "policy.toml")
    return _POLICY


def fixture_names() -> list[str]:
    return sorted(p.stem for p in FIXTURES.glob("*.json"))


def load(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.json").read_text())


class Diverged(AssertionError):
    """The gate sent the target something the recording never sent: its answer is unknown."""


class RecordedTarget:
    """Answers what it is sent with the recording's output, once a recorded key is complete."""

    def __init__(self, fixture: dict) -> None:
        steps = fixture["steps"]
        self.keys = [s["keys"].encode("latin-1") for s in steps]
        self.expected = b"".join(self.keys)
        self.received = bytearray()
        self._ends = []
        end = 0
        for k in self.keys:
            end += len(k)
            self._ends.append(end)
        self._next = 0
        self.pending: deque[bytes] = deque()
        self._outputs = [[c.encode("latin-1") for c in s["out"]] for s in steps]
        self._answer()

    def receive(self, data: bytes) -> None:
        self.received += data
        if not self.expected.startswith(bytes(self.received)):
            raise Diverged(f"target got {bytes(self.received[-40:])!r}, the recording sent "
                           f"{self.expected[len(self.received) - len(data):][:40]!r}")
        self._answer()

    def _answer(self) -> None:
        while self._next < len(self._ends) and self._ends[self._next] <= len(self.received):
            self.pending.extend(self._outputs[self._next])
            self._next += 1

    @property
    def done(self) -> bool:
        return len(self.received) == len(self.expected)


@dataclass
class Replay:
    judged: list[Reconstruction] = field(default_factory=list)
    hows: list[str] = field(default_factory=list)  # what readline does with each judged key
    verdicts: list[str] = field(default_factory=list)
    held_by_timer: int = 0
    echo_timeouts: int = 0
    unjudged: list[str] = field(default_factory=list)
    eof_sent: bool = False

    @property
    def commands(self) -> list[str | None]:
        """What each judge point read: the line, or None where nothing was to run."""
        return [r.text if r.kind == "command" else None for r in self.judged]


def replay(fixture: dict, speed: str, *, judge=None) -> Replay:
    """Drive the fixture's keys at `speed`; `judge(rec) -> action` decides (default policy)."""
    target = RecordedTarget(fixture)
    tracker = CommandLineTracker(fixture["cols"], fixture["rows"], is_complete=policy.is_complete)
    ta = TypeAhead(tracker)
    result = Replay()
    judge = judge or _policy_judge
    keys = [k for k in target.keys if k]
    if speed == "slow":
        chunks = deque(keys)
    elif speed == "line":
        chunks = deque(_lines(keys))
    else:
        chunks = deque([b"".join(keys)])

    def deliver() -> bool:
        if not target.pending:
            return False
        ta.output(target.pending.popleft())
        if (line := tracker.take_unjudged()) is not None:
            result.unjudged.append(line)
        return True

    if speed == "script":
        ta.client(chunks.popleft())
    for _ in range(100000):
        if speed == "line" and chunks and not ta.queued:
            ta.client(chunks.popleft())  # typed on while the target still answers
        step = ta.next()
        if isinstance(step, Send):
            target.receive(step.data)
        elif isinstance(step, Decide):
            result.hows.append(step.submit.how)
            while not tracker.echo_settled():
                if not deliver():
                    result.echo_timeouts += 1
                    break
            if tracker.needs_quiet():
                # The gate reads such a line once the target's output has paused.
                while deliver():
                    pass
            rec = tracker.reconstruct()
            result.judged.append(rec)
            action = judge(rec)
            result.verdicts.append(action)
            if action in ("allow", "alert"):
                target.receive(ta.allowed())
            else:
                raise AssertionError(f"{action}: {rec}")
        elif isinstance(step, Wait):
            if not deliver():
                ta.timer()
        elif isinstance(step, SendEof):
            result.eof_sent = True
        elif isinstance(step, End):
            raise AssertionError(f"session ended with {step.status}")
        elif deliver():
            continue
        elif chunks:
            ta.client(chunks.popleft())
        else:
            break
    result.held_by_timer = ta.held_by_timer
    assert target.done, f"the target got {len(target.received)} of {len(target.expected)} bytes"
    return result


_ORDER = ("allow", "alert", "confirm", "deny")


def _policy_judge(rec: Reconstruction) -> str:
    """As bastion.ssh.gate.InputGate judges: every reading of the line (`also`), and keys typed
    at a hidden prompt in every reading too, refused only by a rule."""
    if rec.kind == "not-a-command":
        for reading in (rec.hidden, *rec.hidden_also) if rec.hidden else ():
            v = policy.evaluate(default_policy(), reading, role="engineer", target="web01")
            if v.action in ("deny", "confirm") and not v.rule.startswith("defaults."):
                return "deny"
        return "allow"
    if rec.kind == "command" and not rec.text.strip() and rec.certain and not rec.unknown:
        return "allow"
    if rec.kind == "blind" or not rec.certain:
        return default_policy().defaults.uncertain
    action = max((policy.evaluate(default_policy(), line, role="engineer", target="web01").action
                  for line in (rec.text, *rec.also)), key=_ORDER.index)
    if rec.unknown:
        return "confirm" if action != "deny" else "deny"
    return action


def _lines(keys: list[bytes]) -> list[bytes]:
    """Keys grouped into lines (each ending at a submit key), as a fast typist sends them; an
    interrupt key (Ctrl-C) goes alone, pressed once what came before was sent."""
    out, cur = [], b""
    for k in keys:
        if k in INTERRUPTS and cur:
            out.append(cur)
            cur = b""
        cur += k
        if k in (b"\r", b"\n") or k in INTERRUPTS:
            out.append(cur)
            cur = b""
    if cur:
        out.append(cur)
    return out


INTERRUPTS = (b"\x03", b"\x1a", b"\x1c")


def replayable(fixture: dict, speed: str) -> bool:
    """A script holding Ctrl-C cannot be replayed: the interrupt empties the queue."""
    return speed != "script" or not any(s["keys"].encode("latin-1") in INTERRUPTS
                                        for s in fixture["steps"])
