"""Known values (bastion/command_control/policy/known.py, issue 12, attack M13): a variable a
script on a shell's stdin set to a literal string is read as that value, on the same line and
in the statements after it, until anything may change it.

Each row is a script, one statement a line, judged as StdinGate judges it: with the state the
statements sent before it left (a statement that is not allowed is not sent, and leaves the
state as it was). The honest half must be allowed; the sound half (every way the value may
have changed) must not be: under this policy a path under /srv known only at run time is held
(`confirm`), so an `allow` there would mean the policy read a value the shell may not hold.
"""

from __future__ import annotations

from bastion.command_control.policy import KnownValues, evaluate, policy_from_dict
from tests.rows import each

POLICY = policy_from_dict({
    "defaults": {"unmatched": "allow", "unknown": "confirm", "uncertain": "deny"},
    "rules": [{"name": "etc", "action": "deny", "commands": ["cp", ">"], "paths": ["/etc/**"],
               "message": "no"}],
})
CP = 'cp a "/srv/r/$i/b"'


def run(script: str, start: KnownValues | None = None) -> tuple[list[str], KnownValues]:
    """The action on each statement of `script`, and the state after the last one sent."""
    known = start or KnownValues()
    actions = []
    for line in script.split("\n"):
        v = evaluate(POLICY, line, role="engineer", target="web01", known=known,
                     interactive=False)
        actions.append(v.action)
        if v.action in ("allow", "alert"):
            assert v.known is not None
            known = v.known
    return actions, known


HONEST = [
    f"i=3; {CP}",
    f"i=3\n{CP}",
    f"i=3\n{CP}\n{CP}",
    "i=3\ncp a /srv/r/$i/b",  # unquoted: the default IFS splits nothing of `3`
    'i=3\ncp a "/srv/r/${i}/b"',
    'd=/srv/r; i=3; j="$d/$i"; cp a "$j/b"',
    'i=3 j=4; cp a "/srv/r/$i/$j"',
    f"i=1; i=3; {CP}",
    # Commands that change no variable keep what is known.
    f'i=3\necho "$i" > "/srv/r/$i/log"\ncd /tmp\nset -e\nset -o pipefail -eu\n{CP}',
    f"i=3; printf %s x; true; :; [ -d x ]; test -f y; pwd; {CP}",
    f"i=3; ls /srv | grep x; {CP}",
    f'i=3; for f in /srv/*; do grep -q x "$f" && echo "$f"; done >/dev/null; {CP}',
    f'i=3\nif [ ! -d "/srv/r/$i" ]; then mkdir -p "/srv/r/$i"; fi\n{CP}',
    # A child's assignments stay in the child.
    f"i=3; (i=../../etc); {CP}",
    f"i=3; x=$(i=../../etc); {CP}",
    f"i=3; for f in a b; do {CP}; done",
    f"i=3; while false; do {CP}; done; {CP}",
]


@each("script", HONEST)
def test_a_value_the_script_set_itself_is_read_as_that_value(script: str) -> None:
    actions, _ = run(script)
    assert actions == ["allow"] * len(actions)


def test_a_statement_that_is_not_sent_leaves_the_value_the_shell_still_holds() -> None:
    assert run(f"i=3\ni=../../etc; {CP}\n{CP}")[0] == ["allow", "deny", "allow"]


def test_a_known_value_that_reaches_a_protected_path_is_denied_by_its_rule() -> None:
    assert run(f"i=../../etc; {CP}")[0] == ["deny"]
    assert run(f"i=../../etc\n{CP}")[0] == ["allow", "deny"]


def test_without_the_scripts_state_nothing_is_known_not_even_on_the_same_line() -> None:
    # An interactive shell's earlier lines (a DEBUG trap) are not followed.
    v = evaluate(POLICY, f"i=3; {CP}", role="engineer", target="web01")
    assert v.action == "confirm" and v.known is None


# Every way the value may change before the `cp` runs.
SOUND = [
    # another assignment to the name that is not a literal, or not certain to run once
    "i=$x", "i+=/x", "i='a b'", "i='*'", "i=(../../etc)", "i[0]=../../etc",
    "i=../../etc true", "for i in ../../etc; do :; done", "select i in a; do break; done",
    "if [ -d x ]; then i=../../etc; fi", "[ -d x ] || i=../../etc", "[ -d x ] && i=4",
    "case x in x) i=4;; esac", "true | i=../../etc",
    # builtins that assign
    "read i", "command read i", "jobs -x read i", 'printf "$o" i ../../etc', "set $opts",
    "builtin read i", "mapfile i < x", "readarray i < x",
    "printf -v i %s ../../etc", "getopts ab i", "wait -p i", "let i=7", "unset i",
    "export i", "local i=4", "declare -n r=i; r=../../etc", "typeset i=4", "readonly j",
    # expansions and redirections that assign
    "(( i=7 ))", ": $((i=7))", ": $[i=7]", ": ${i:=x}", ": ${i=x}", ": ${a[i=7]}",
    "[[ i=7 -eq 7 ]]", "exec {i}>/dev/null", "coproc i { :; }",
    # code the shell runs at other times, or that may do anything
    "f() { :; }; f", "trap 'i=../../etc' DEBUG", "eval 'i=../../etc'", ". ./x", "source ./x",
    "alias cp=x", "shopt -s lastpipe", "enable -f x.so y", "set -o posix", "set -k", "set -T",
    "PS4='$((i=7))'", "$cmd", "bash -c ':' & wait",
]


@each("change", SOUND)
def test_a_value_anything_may_change_is_forgotten_on_the_line(change: str) -> None:
    assert run(f"i=3; {change}; {CP}")[0] != ["allow"]
    assert run(f"i=3; {CP}")[0] == ["allow"]  # the control: without the change it is known


@each("change", [c for c in SOUND if c not in ("i=../../etc true",)])
def test_a_value_anything_may_change_is_forgotten_in_later_statements(change: str) -> None:
    actions, _ = run(f"i=3\n{change}\n{CP}")
    # The change itself may be held (then not sent, and 3 is still right); when it was sent,
    # the cp after it is not allowed.
    if actions[1] in ("allow", "alert"):
        assert actions[2] != "allow", actions


LOSES = ["trap 'i=../../etc' DEBUG", "f() { :; }", "alias cp=x", "eval :", ". ./x",
         "declare -i n", "local x", "shopt -s expand_aliases", "set -T", "PS4=+", "$cmd",
         # a shell that reads the script's next statements, without i unless exported
         "bash", "exec sh", "sudo -u nobody bash"]


@each("loss", LOSES)
def test_after_code_or_attributes_that_may_change_any_variable_nothing_is_known_again(
        loss: str) -> None:
    known = evaluate(POLICY, f"i=3; {loss}", role="engineer", target="web01",
                     known=KnownValues(), interactive=False).known
    assert known is not None and known.lost
    assert run(f"i=4\n{CP}", start=known)[0] == ["allow", "confirm"]
    assert run(f"i=4; {CP}", start=known)[0] == ["confirm"]


def test_a_loop_that_forgets_a_value_an_earlier_pass_read_is_judged_with_nothing_known() -> None:
    assert run(f"i=3; while true; do {CP}; i=$x; done")[0] == ["confirm"]
    assert run(f"i=3; for f in a b; do {CP}; read i; done")[0] == ["confirm"]


def test_a_value_is_not_known_in_another_process_or_a_function_body() -> None:
    assert run(f"i=3; bash -c '{CP}'")[0] == ["confirm"]
    assert run(f"i=3; sudo sh -c '{CP}'")[0] == ["confirm"]
    v = evaluate(POLICY, f"i=3; g() {{ {CP}; }}", role="engineer", target="web01",
                 known=KnownValues(), interactive=False)
    assert v.action == "confirm" and v.known is not None and v.known.lost


def test_unquoted_values_are_read_only_while_ifs_may_be_the_default() -> None:
    assert run("i=a.b; cp a /srv/r/$i/b")[0] == ["allow"]
    assert run("i=a.b; IFS=.; cp a /srv/r/$i/b")[0] == ["confirm"]
    assert run('i=a.b; IFS=.; cp a "/srv/r/$i/b"')[0] == ["allow"]
    _, known = run("i=3\nread x")
    assert not known.split_default  # `read` may have changed anything: IFS too


@each("name", ["PWD", "OLDPWD", "HOME", "IFS", "PATH", "BASH_ENV", "REPLY",
                                  "OPTARG", "RANDOM"])
def test_variables_the_shell_sets_or_reads_itself_are_never_known(name: str) -> None:
    _, known = run(f"{name}=/srv/r")
    assert known.get(name) is None


@each("transition, after", [
    ("i=3", {"i": "3"}),                      # set
    ("i=3; j=$i/x", {"i": "3", "j": "3/x"}),  # set from a known value
    ("i=3; ls", {"i": "3"}),                  # kept by a program
    ("i=3; j=4; j=$x", {"i": "3"}),           # one name forgotten
    ("i=3; j=4; read k", {}),                 # every name forgotten
    ("i=3; (j=4)", {"i": "3"}),               # a child's value stays in the child
])
def test_each_transition_sets_keeps_or_forgets(transition: str, after: dict[str, str]) -> None:
    _, known = run(transition)
    assert dict(known.values) == after and not known.lost


@each("script", [
    "d=declare\n$d -i 'i=a[$(touch /tmp/canary)]'",
    "d=typeset; $d -i 'i=a[$(touch /tmp/canary)]'",
    "d=declare\n$d -n r=PROMPT_COMMAND",
    "d=unset\n$d 'a[$(touch /tmp/canary)]'",
    "b=builtin; d=declare\n$b $d -i 'i=a[$(touch /tmp/canary)]'",
])
def test_a_declaration_builtin_named_by_a_known_value_is_judged_as_one(script: str) -> None:
    # Attack Q: `$d` read as `declare` reaches bash's declaration builtin, not a program.
    assert run(script)[0][-1] == "confirm"


@each("declaration", ["command declare x=1", "\\typeset x", "$d x=1"])
def test_a_declaration_in_any_spelling_loses_the_known_values(declaration: str) -> None:
    # `command declare -n i=j` or `declare -i` change what later reads of i mean.
    assert run(f"d=declare; i=3\n{declaration}\n{CP}")[0] == ["allow", "allow", "confirm"]
