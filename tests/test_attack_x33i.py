"""Attack x33i, findings 1 to 4: what the interactive gate reads as an unfinished line, and
where it takes a line to begin.

1. `is_complete` read a backquoted body as code (`` X `'` ``, `` echo `$(`; X ``) and every `)`
   as a command's end (`X $((1) )if`): bash runs those lines at once, the gate let the Enter
   pass as a continuation, unjudged;
2. after C-o, the pre-loaded line was cut after the first learned prompt that prefixes the row,
   though the real prompt may be a shorter one the gate forgot;
3. after C-o, editing the pre-loaded text dropped the line's other starting points;
4. keys typed ahead and partly taken by a program (`read -n 6`), at a prompt neither learned
   nor prompt-like: the line bash gets was not among the readings.
"""

from __future__ import annotations

import itertools
import json
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from bastion.command_control.policy import is_complete
from tests.rows import each
from tests.test_completion_question import replay

X = "systemctl stop auditd"

# Finding 1, the attacker's members: bash 5.2 runs X in each at once.
RUNS = [
    "{X} `'`", '{X} `"`', "echo `(`; {X}", "echo `((`; {X}", "echo `${{`; {X}",
    "echo `$(`; {X}", "echo `$((`; {X}", "echo `$'`; {X}", 'echo `$"`; {X}',
    'echo "`"`"; {X}', 'echo `"`&& {X}',
    "{X} $((1) )if", "{X} $((1) )case", "{X} $((1) )for", "{X} $((1) )while x",
    "{X} $((1) )until", "{X} $((1) ){{", "echo $((1) )if; {X}",
    # siblings: a process substitution's `)`, a plain `$(…)`, backquotes in `$(…)` and back
    "{X} <(true)if", "{X} $(true)case", "echo $(echo `'`); {X}", "echo `echo $(`; {X}",
    "echo `cat <<E\n'\nE\n`; {X}", '{X} "`(`"', "{X} ${{x:-`'`}}",
]
# Lines bash waits on: still unfinished (the controls).
OPEN = ["echo `{X}", "echo `'", 'echo "`"', "echo `\\`", "echo $((1) )if; if x", "{X} $(",
        "if true; then (x)"]


@each("form", RUNS)
def test_a_line_bash_runs_at_once_is_complete(form):
    assert is_complete(form.format(X=X))


@each("form", OPEN)
def test_a_line_bash_waits_on_stays_unfinished(form):
    assert not is_complete(form.format(X=X))


# The differential's generator: openers and quotes inside backquotes (alone, in `$(…)`, in
# double quotes, in `${…}`, in `$((…))`, a here-document in backquotes), and words glued to
# the `)` of each substitution.
INNER = ["'", '"', "(", "((", "${", "$(", "$((", "$'", '$"', "[[", "{", "if", "case", "<<EOF",
         "#", "\\`", "$[", "<(", "x)", "))", "}"]
WRAP = ["`{i}`", "$(echo `{i}`)", '"`{i}`"', "${{x:-`{i}`}}", "$((`{i}`))", '`echo "{i}"`',
        '"$(echo `{i}`)"', "`cat <<E\n{i}\nE\n`"]
GLUE = ["if", "case", "for", "while x", "until", "{", "}", "then", "do", "select", "[[", "((",
        "(", "function", "!", "fi", "esac"]
CLOSERS = ["$((1) )", "$(true)", "<(true)", '"$(true)"', "$( (1) )", "`true`", "${x}", "$[1]"]


def _generated() -> list[str]:
    lines = [f"{X} {w.format(i=i)}" for w, i in itertools.product(WRAP, INNER)]
    lines += [f"echo {w.format(i=i)}; {X}" for w, i in itertools.product(WRAP[:2], INNER)]
    lines += [f"{X} {c}{g}" for c, g in itertools.product(CLOSERS, GLUE)]
    lines += [f"echo {c}{g}; {X}" for c, g in itertools.product(CLOSERS[:3], GLUE)]
    return lines


def _bash_open(line: str) -> bool:
    err = subprocess.run(["bash", "-n", "-c", line], capture_output=True, text=True,
                         check=False).stderr
    return "unexpected end of file" in err or "looking for matching" in err


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_is_complete_against_bash_n_over_the_generated_shapes():
    """Wherever `bash -n` reads a statement that ends, `is_complete` must too (else the Enter
    passes as a continuation, unjudged). The other direction is the safe one: judged at once
    (and the line bash continues is judged again alone at its PS2)."""
    lines = [line for form in RUNS + OPEN for line in [form.format(X=X)]] + _generated()
    with ThreadPoolExecutor(4) as pool:
        opened = list(pool.map(_bash_open, lines))
    differ = [line for line, bash_open in zip(lines, opened, strict=True)
              if not bash_open and not is_complete(line)]
    assert differ == []
    assert all(opened[len(RUNS):len(RUNS) + len(OPEN)])  # the controls are open to bash too


# Findings 1 to 4 live: replayed from what a real bash 5.2 sent (tests/fixtures/attack_x33i.json:
# recorded on a pty, as nobody, through the attacker's attack/live.py with the fixed tracker;
# each client chunk and each answer in order; a `systemctl` function stood in for the real one).
# 2: eight `PS1=` lines push `W> ` out of the learned prompts, `PS1='W> systemctl s'` is
#    learned, C-o on `PS1='W> '` pre-loads `systemctl st`: `op auditd` typed;
#    the same with the learned prompt the whole row (`PS1='W> systemctl st'`);
# 3: C-o on `PS1='bob@web01:~$ #'` pre-loads `true`; Backspaces into it, then X;
# 4: `read -n 6 x` takes the first keys typed ahead, at `PS1='[\\t] '` (and siblings: no `#`
#    in the keys; a prompt `$ echo ` that ends like the keys; a learned prompt, then a longer
#    one that is it plus keys a program took);
# 1: the attacker's live rows of finding 1.
FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "attack_x33i.json").read_text())
HONEST = {
    "honest_typing": ["true", "ls -la", "echo hello `date +%Y` $(echo x) done"],
    "honest_c_o_edited": ["true", "echo one", "echo two", "echo one", "echo four"],
    "honest_yn": ["true", "read -n 1 -p 'go? ' a; echo", "ls -la"],
    "honest_4_read_n1_time": ["true", "read -n 1 x", "ls -la"],
    "honest_4_read_n1_dollar": ["true", "read -n 1 x", "ls -la"],
}


@each("name", sorted(FIXTURE["attack"]))
def test_the_refused_line_is_never_allowed_wherever_the_line_begins(name):
    taken = replay(FIXTURE["attack"][name])
    assert taken, f"{name}: nothing judged"
    *before, (_how, _line, _certain, verdict) = taken
    assert verdict != "allow", (name, taken)
    assert all(v == "allow" for *_, v in before), (name, taken)  # held at the attack's line


@each("name", sorted(HONEST))
def test_honest_sessions_stay_certain_and_allowed(name):
    """Typing at a prompt, C-o with its pre-loaded line edited, `read -n 1` answering a y/n
    question (and taking a key typed ahead) then a normal command."""
    taken = replay(FIXTURE["honest_traces"][name])
    assert [(line, certain, verdict) for _how, line, certain, verdict in taken] == [
        (line, True, "allow") for line in HONEST[name]], (name, taken)
