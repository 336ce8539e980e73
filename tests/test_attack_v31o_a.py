"""Attack v31o, findings 1, 2, 4 and 6: the stdin gate's splitter and the parse.

1. A statement "of comment lines only" passed unjudged, decided with Python's whitespace:
   `\\x0c#x; CMD` (also `\\r`, `\\v`, `\\x1c`-`\\x1f`, U+0085, U+00A0, U+2000...) ran CMD unjudged;
   bash's blanks are space and tab only.
2. `<<` inside an extended pattern of `[[ == ]]` or a regex's parentheses is text to bash; the
   policy and the splitter read a here-document, and the lines after it, which bash runs, as data.
4. Each stdin-gated channel could hold 64 MiB, with no bound across channels.
6. `for ((`, `coproc ((`, `time -p ((` are arithmetic: the splitter read `<<` there as a
   here-document and hid the lines bash runs behind `$BASTION_ELIDED_HEREDOC`.

Pure tests: the stdin gate on a fake channel (tests/test_gate.py), the splitter, the policy.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from bastion.command_control import policy, statements
from bastion.command_control.policy import model, policy_from_dict
from bastion.command_control.statements import PLACEHOLDER, Overflow, Rest, Statement, StatementSplitter
from bastion.runtime.held import HeldBudget
from bastion.ssh.gate import StdinGate
from bastion.store import Store
from tests.rows import each
from tests.test_gate import Channel, audited, make_app, make_live, stdin_gate, verdicts
from tests.test_gate import store as store  # the fixture

DEFAULTS = model.load_policy(Path(__file__).parent.parent / "bastion/defaults/policy.toml")
PAD = ("#" + "x" * 99 + "\n") * 50  # over INLINE_BODY: a body this long is left out
RUN = "history -c; touch CANARY"  # what bash runs on the line after the head (denied alone)


def judge(line: str) -> policy.Verdict:
    return policy.evaluate(DEFAULTS, line, role="admin", target="web01", login="root",
                           interactive=False, known=policy.KnownValues())


def pieces(data: bytes) -> list[statements.Piece]:
    splitter = StatementSplitter(policy.is_complete)
    out = []
    for at in range(0, len(data), 7):
        out += splitter.feed(data[at: at + 7])
    return out + splitter.finish()


# -- finding 1: the shell's blanks ------------------------------------------------------------

# Each is a word's character to bash and dash (checked as nobody: `PREFIX#x; touch C` made C).
NOT_BLANKS = ["\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x1f", "\x85", "\xa0", "\u1680",
              "\u2003", "\u2028", "\u3000"]


async def denying_gate(store: Store) -> tuple[StdinGate, Channel]:
    """A stdin gate whose policy denies what it cannot read (nothing is held for a supervisor)."""
    app = make_app(store)
    app.policy = policy_from_dict({"defaults": {"unknown": "deny"}, "rules": [
        {"name": "no-reboot", "action": "deny", "commands": ["reboot"]}]})
    ch = Channel(make_live(store, app), pty=False)
    ch.gate = gate = StdinGate(app, ch)  # type: ignore[arg-type]
    return gate, ch


@pytest.mark.parametrize("prefix", NOT_BLANKS)
async def test_a_statement_starting_with_a_character_bash_does_not_skip_is_judged(store, prefix):
    gate, ch = await denying_gate(store)
    gate.client_input(f"{prefix}#x; reboot\n".encode())
    await ch.until(lambda: b"denied" in ch.stderr)
    assert verdicts(store, ch.live.id) == [(f"{prefix}#x; reboot", "deny")]
    assert bytes(ch.bash.stdin) == b""


@pytest.mark.parametrize("blank", NOT_BLANKS)
async def test_a_statement_of_such_characters_only_is_judged_too(store, blank):
    gate, ch = await denying_gate(store)
    gate.client_input(f"{blank}\n".encode())
    await ch.until(lambda: bool(ch.stderr or ch.bash.stdin))  # denied, or judged and sent
    assert [line for line, _ in verdicts(store, ch.live.id)] == [blank]


async def test_honest_comments_and_blank_lines_still_pass_unjudged(store):
    # A script's shebang (CRLF too: the line starts with `#`), comments indented with spaces
    # and tabs, blank lines: nothing runs, no row; the command after them is judged.
    gate, ch, _ = await stdin_gate(store)
    script = b"#!/bin/bash\r\n# setup\n   # indented\n\t# tabbed\n\n  \t\necho ok\n"
    gate.client_input(script)
    await ch.until(lambda: b"echo ok" in ch.bash.stdin)
    assert bytes(ch.bash.stdin) == script
    assert verdicts(store, ch.live.id) == [("echo ok", "allow")]


# -- findings 2 and 6: a `<<` bash reads as text --------------------------------------------

PATTERN_HEADS = [  # `<<` inside a pattern or regex word, or an array: text to bash
    "[[ x == @(a<<true) ]]", "[[ x == @(true<<'true') ]]", "[[ x = @(a<<true) ]]",
    "[[ x != @(a<<true) ]]", "[[ x == ?(a<<true) ]]", "[[ x == *(a<<true) ]]",
    "[[ x == +(a<<true) ]]", "[[ x == !(a<<true) ]]", "[[ x =~ (a<<true) ]]",
    "[[ x == x@(a<<true) ]]", "[[ -n x && x == @(a<<true) ]]", "[[ x == @(a|b<<-true) ]]",
    "if [[ x == @(a<<true) ]]; then :; fi", "[[ x == @(a<<true) ]] && echo y",
    "[[ x =~ ^(a<<true)$ ]]", "[[ x =~ ((a<<true)) ]]", "[[ x == +(@(a<<true)) ]]",
    "[[ x == @(a)@(b<<true) ]]", "[[ ! x == @(a<<true) ]]", "[[ x == @(a<<true) || y ]]",
    "f() { [[ x == @(a<<true) ]]; }", "a=(x<<true)", "declare -a a=(x<<true)",
    "shopt -s extglob; case x in @(a<<true)) ;; esac",
]
ARITHMETIC_HEADS = [  # `((` that bash reads as arithmetic: `<<` is a shift
    "for (( i=1<<2; i<1; i++ )); do :; done", "for ((;1<<2<0;)) { :; }", "coproc (( 1<<0 ))",
    "time -p (( 1<<2 ))", "time -- (( 1<<2 ))", "time -p -- (( 1<<2 ))",
]


@each("padded", [False, True])
@each("head", PATTERN_HEADS + ARITHMETIC_HEADS)
def test_lines_bash_runs_after_a_shift_or_pattern_are_judged_never_hidden(head, padded):
    # What bash runs on the next line is in a judged text that is not allowed, or in a
    # statement too long to judge (the `uncertain` action); never behind the placeholder.
    data = f"{head}\n{RUN}\n{PAD if padded else ''}true\n".encode()
    found = []
    for piece in pieces(data):
        if isinstance(piece, Statement) and RUN in piece.text:
            found.append(judge(piece.text).action)
        elif isinstance(piece, Overflow) and RUN.encode() in piece.data:
            found.append("uncertain")
        assert not (isinstance(piece, Statement) and PLACEHOLDER in piece.text), piece.text
    assert found and "allow" not in found


@each("head", [h for h in ARITHMETIC_HEADS if "{" not in h])
def test_arithmetic_after_for_coproc_time_ends_where_bash_ends_it(head):
    assert [p.text for p in pieces(f"{head}\n{RUN}\n".encode())] == [f"{head}\n", f"{RUN}\n"]


@each("head", PATTERN_HEADS[:16])
def test_an_exec_command_with_a_shift_in_a_pattern_is_not_allowed(head):
    # The policy read a here-document there; bash's own lexer reads none: unknown.
    v = judge(f"{head}\nhistory -c; rm -rf --no-preserve-root /\ntrue")
    assert v.action != "allow", (head, v)


HONEST = [  # (script, statements it is cut into, whether a body is left out)
    (f"cat <<'E' > /etc/motd\n{PAD}E\necho done\n", 2, True),
    (f"cat <<E\n{PAD}E\n", 1, True),
    (f"cat <<-E\n{PAD}\tE\n", 1, True),
    (f"cat <<'A' <<'B'\n{PAD}A\n{PAD}B\n", 1, True),
    ("for ((i=0; i<3; i++)); do echo $i; done\necho after\n", 2, False),
    ("for ((i=0; i<3; i++)); do cat <<E\nline\nE\ndone\necho after\n", 2, False),
    ('[[ $x == @(a|b) ]] && echo y\necho after\n', 2, False),
    ("[[ $x =~ ^(a|b)$ ]] && cat <<'E'\nbody\nE\necho after\n", 2, False),
    ("time -p make\ncoproc cat\na=(1 2 3)\nf() { echo; }\n", 4, False),
    ("time -p cat <<'E'\nbody\nE\necho after\n", 2, False),
    ("echo $(( 1<<2 )) $[1<<2]\n(( x = 1<<2 ))\necho after\n", 3, False),
]


@each(("script", "count", "elided"), HONEST)
def test_honest_scripts_are_cut_as_before(script, count, elided):
    out = pieces(script.encode())
    assert all(isinstance(p, Statement) for p in out)
    assert len(out) == count
    assert (PLACEHOLDER in out[0].text) is elided
    assert b"".join(p.data for p in out) == script.encode()


@each(("text", "sure"), [
    (f"cat <<'E'\n{PLACEHOLDER}E\n", True),
    (f"cat <<E | tee f\n{PLACEHOLDER}E\n", True),
    (f"coproc (( 1<<0 ))\n{PLACEHOLDER}0\n", False),
    (f"time -p (( 1<<2 ))\n{PLACEHOLDER}2\n", False),
    (f"for ((i=1<<2;;)); do :; done\n{PLACEHOLDER}2\n", False),
    (f"[[ x == @(a<<true) ]]\n{PLACEHOLDER}true\n", False),
    (f"echo $((1<<2))\n{PLACEHOLDER}2\n", False),
])
def test_a_body_is_left_out_only_where_bash_and_sh_both_read_one(text, sure):
    assert policy.bodies_at(text, (text.index(PLACEHOLDER),)) is sure


def test_a_body_after_bash_only_syntax_is_left_out_where_the_shell_is_bash():
    # dash cannot run `for ((` (a syntax error there): for `bash -s` the body is left out.
    text = f"for ((i=0;i<2;i++)); do cat <<E > f$i\n{PLACEHOLDER}E\ndone\n"
    start = (text.index(PLACEHOLDER),)
    assert policy.bodies_at(text, start, bash_only=True)
    data = f"for ((i=0;i<2;i++)); do cat <<E > f$i\n{PAD}E\ndone\n".encode()
    (piece,) = StatementSplitter(policy.is_complete, bash_only=True).feed(data)
    assert isinstance(piece, Statement) and PLACEHOLDER in piece.text


def test_a_body_the_policy_does_not_confirm_overflows_rather_than_hides(monkeypatch):
    # Should the splitter ever read a here-document bash does not (the v31o 6 class), the
    # statement is not judged with its lines elided: it overflows (the `uncertain` action).
    from bastion.command_control.statements import splitter as module
    monkeypatch.setattr(module, "bodies_at", lambda text, starts, bash_only: False)
    out = pieces(f"cat <<'E'\n{RUN}\n{PAD}E\necho after\n".encode())
    assert isinstance(out[0], Overflow) and out[1] == Rest(b"", True)
    assert RUN.encode() in out[0].data
    assert [p.text for p in out[2:]] == ["echo after\n"]


# -- finding 4: what is held across channels ---------------------------------------------------

def test_the_budget_bounds_a_connection_a_person_and_the_server():
    budget = HeldBudget(per_connection=100, per_person=150, per_server=200)
    a, b, c, d = object(), object(), object(), object()
    assert budget.hold(a, "conn1", "alice", 80) is None
    assert "this connection" in budget.hold(b, "conn1", "alice", 30)
    assert budget.hold(b, "conn2", "alice", 60) is None
    assert "this person" in budget.hold(c, "conn3", "alice", 20)
    assert budget.hold(c, "conn4", "bob", 50) is None
    assert "the server" in budget.hold(d, "conn5", "carol", 20)
    assert budget.hold(a, "conn1", "alice", 10) is None  # holding less is always taken
    assert budget.hold(d, "conn5", "carol", 20) is None
    assert budget.hold(a, "conn1", "alice", 500, force=True) is None  # held already: counted
    budget.release(a)
    budget.release(b)
    budget.release(c)
    budget.release(d)
    assert (budget.total, budget.connections, budget.people) == (0, {}, {})


async def test_channels_of_one_connection_share_the_bound_and_past_it_a_statement_is_dropped(store):
    app = make_app(store)
    app.held = HeldBudget(per_connection=64 * 1024, per_person=1 << 30, per_server=1 << 30)
    live = make_live(store, app)
    first, second = Channel(live, pty=False), Channel(live, pty=False)
    gates = []
    for ch in (first, second):
        ch.gate = StdinGate(app, ch)  # type: ignore[arg-type]
        gates.append(ch.gate)
    body = b"x" * 99 + b"\n"
    gates[0].client_input(b"cat <<'E'\n" + body * 400)  # 40 KB held, unfinished
    assert app.held.total > 40_000
    gates[1].client_input(b"cat <<'E'\n" + body * 800)  # past 64 KiB on this connection
    await second.until(lambda: b"dropped" in second.stderr)
    assert b"would pass 64 KiB; it is dropped up to its end" in second.stderr
    assert b"the statements held unfinished on this connection" in second.stderr
    assert bytes(second.bash.stdin) == b""
    # A statement of everyday size is never refused for want of room (up to 64 KiB each).
    third = Channel(live, pty=False)
    third.gate = StdinGate(app, third)  # type: ignore[arg-type]
    gates.append(third.gate)
    third.gate.client_input(b"echo ")
    third.gate.client_input(b"third\n")
    await third.until(lambda: b"third" in third.bash.stdin)
    gates[1].client_input(body * 10 + b"E\necho after\n")  # dropped to its end; then judged
    await second.until(lambda: b"echo after" in second.bash.stdin)
    assert bytes(second.bash.stdin) == b"echo after\n"
    gates[0].client_input(b"E\n")  # the first ends: sent whole, as before
    await first.until(lambda: first.bash.stdin.endswith(b"\nE\n"))
    assert bytes(first.bash.stdin) == b"cat <<'E'\n" + body * 400 + b"E\n"
    rows = verdicts(store, live.id)
    assert sorted(v for _, v in rows) == ["allow", "allow", "allow", "deny"]
    (dropped,) = [line for line, v in rows if v == "deny"]
    assert dropped.startswith("cat <<'E'") and "(unfinished" in dropped
    assert (dropped, "deny") in audited(store, live.id)  # an audit event, as every verdict
    for gate in gates:
        gate.close()
    assert app.held.total == 0


async def test_a_big_heredoc_on_one_channel_still_runs(store):
    gate, ch, app = await stdin_gate(store)
    assert isinstance(app, SimpleNamespace)
    app.held = HeldBudget(per_connection=2 << 20)
    script = b"cat <<'E' > /tmp/big\n" + (b"y" * 1023 + b"\n") * 1500 + b"E\necho done\n"
    for at in range(0, len(script), 64 * 1024):
        gate.client_input(script[at: at + 64 * 1024])
    await ch.until(lambda: b"echo done" in ch.bash.stdin)
    assert bytes(ch.bash.stdin) == script
    assert [v for _, v in verdicts(store, ch.live.id)] == ["allow", "allow"]
    gate.close()
    assert app.held.total == 0


@each(("alias", "value", "keeps_arguments_unknown"), [
    ("rm", "rm -i", False),  # keeps its own name: later lines are judged as rm anyway
    ("rm", "rm\x0c-i", True),  # one word to bash, `rm\x0c-i`: another command
    ("x", "eval", True),
    ("x", "eval\xa0", True),
])
def test_an_alias_value_is_split_with_the_shells_blanks(alias, value, keeps_arguments_unknown):
    from bastion.command_control.policy.variables import _aliased
    assert _aliased(alias, value).endswith('"$ALIAS_ARGUMENTS"') is keeps_arguments_unknown
