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
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor

import pytest

from bastion.command_control.policy import is_complete

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


@pytest.mark.parametrize("form", RUNS)
def test_a_line_bash_runs_at_once_is_complete(form):
    assert is_complete(form.format(X=X))


@pytest.mark.parametrize("form", OPEN)
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
