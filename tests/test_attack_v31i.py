"""Attack v31i, findings 3 to 6: where the interactive gate takes a line to begin, and what it
takes for unfinished.

3. a prompt that begins with a prompt the gate learned and goes on (`PS1="$PS1#"`, a folder
   named `a$ #` under a `\\w` prompt, a job's `#` after the prompt): the tail was read as text
   the line holds, so every line there was judged as a comment;
4. operate-and-get-next (C-o) loads the next history line into the new line: at a prompt the
   gate has not learned (or with the cursor on a history entry's last row) that text was read
   as prompt and only the keys typed after it were judged;
5. `echo $((X) )`, `x=$((X) )`, ``echo `X #` ``: bash runs them, `is_complete` said
   "unfinished", so the Enter passed as a continuation with no verdict;
6. keys typed while a command ran: a `#` inside them was taken for the next prompt's end.

Replayed from what a real bash 5.2 sent (tests/fixtures/attack_v31i.json: recorded on a pty, as
nobody, by the attacker's attack/record.py: each client chunk and each answer in order;
`systemctl stop auditd` and `touch /etc/sudoers` are refused by the default policy). Each
attack row must end in a refusal of that line (or an uncertain one); the honest rows (recorded
the same way) stay certain and allowed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from bastion.command_control.policy import is_complete
from tests.rows import each
from tests.test_completion_question import replay

FIXTURE = json.loads((Path(__file__).parent / "fixtures" / "attack_v31i.json").read_text())
REFUSED = ("auditd", "sudoers")
# Where the line read is the harmless cut, the refused whole is among its readings (`also`).
READINGS = {"6_a_time_prompt": "true", "6_b_counter_prompt": "true"}
FIXTURE["attack"].update(FIXTURE["controls"])  # the attacker's controls, held before too
ATTACKS = sorted(FIXTURE["attack"])


@each("name", ATTACKS)
def test_the_refused_line_is_never_allowed_whatever_the_prompt_or_the_line_end(name):
    taken = replay(FIXTURE["attack"][name])
    assert taken, f"{name}: nothing judged"
    _how, line, _certain, verdict = taken[-1]
    assert verdict != "allow", (name, taken)
    # held at the refused line (which may be judged as one of the line's readings)
    assert any(word in line for word in REFUSED) or line == READINGS.get(name), (name, taken)


@each(("name", "lines"), sorted(FIXTURE["honest"].items()))
def test_honest_lines_stay_certain_and_allowed(name, lines):
    taken = replay(FIXTURE["honest_traces"][name])
    assert [(line, certain, verdict) for _how, line, certain, verdict in taken] == [
        (line, True, "allow") for line in lines], (name, taken)


X = "systemctl stop auditd"
# bash reads `$((` as `$( (` where no `))` closes it, and ends a comment at a closing backquote
# (attack/t13.py's forms, finding 5): each runs X at once.
RUNS = [
    "echo $(({X}) )", "echo $(({X})\t)", "echo $(( ({X}) ) )", "echo $(({X}) );",
    "echo $(( {X}) )", "echo $(({X})|cat)", "echo $(({X})&& true)", "echo $(({X}) >/dev/null)",
    "echo `{X} #`", "echo $((1))$(({X}) )", "echo $((  ({X}) ) )", "echo $((\n{X}) )",
    "echo $(({X})\n)", "echo $(( {X} ) )", "echo $((({X})) )", ": $(({X}) )", "echo $(({X});)",
    "x=$(({X}) )", 'echo "$(({X}) )"', "$(({X}) )", "echo $((echo;{X}) )", "((({X}) ))",
    "(({X}) )", "echo `echo #`; {X}", "echo `{X} # )`",
]
# Statements bash runs as they stand and the gate must too; and ones it waits on (controls).
CORPUS = [*RUNS,
    "echo $((1+2))", "echo $(( (1+2) * 3 ))", "(( x = (1) ))", "echo $(( $(echo 1) + 1 ))",
    "echo $(({X}))", "echo $( ({X}) )", "(( ({X}) ))", "echo $(# c\n{X})", "echo `echo a`",
    "case x in x) {X};; esac", "echo $(case x in (x) {X};; esac)", "a=([0]=$({X}))",
]
OPEN = ["echo $((1+", "echo $(( (1) ", "echo `{X}", "echo $(({X}) ", "echo `# x", "((1",
        "echo $((1)", "echo \"$((1) \""]


@each("form", RUNS)
def test_a_line_bash_runs_at_once_is_complete(form):
    assert is_complete(form.format(X=X))


@each("form", OPEN)
def test_a_line_bash_waits_on_stays_unfinished(form):
    assert not is_complete(form.format(X=X))


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_is_complete_against_bash_n_over_the_corpus():
    """The differential (the attacker's attack/t13.py): wherever `bash -n` reads a statement
    that ends, `is_complete` must too (else the Enter would pass as a continuation, unjudged).
    The other direction (complete to the gate, open to bash) is the safe one: judged at once."""
    differ = []
    for form in CORPUS + OPEN:
        line = form.format(X=X)
        err = subprocess.run(["bash", "-n", "-c", line], capture_output=True, text=True,
                             check=False).stderr
        bash_open = ("unexpected end of file" in err or "looking for matching" in err)
        if not bash_open and not is_complete(line):
            differ.append(line)
        if form in OPEN:
            assert bash_open, (line, err)  # the controls are open to bash too
    assert differ == []
