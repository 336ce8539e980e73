"""The policy's classes of bypass end to end: a real OpenSSH ssh and scp client, a real bastion
and a real sshd whose bash, rbash, dash and scp do what the line says.

One module-scoped world. The policy protects a folder of canary files by `paths`, so a gate
that fails shows as a file that exists; the breadth of each class is in tests/test_policy.py.
"""

from __future__ import annotations

import pwd
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.harness import LOGIN, World

pytestmark = [pytest.mark.integration, pytest.mark.timeout(120)]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> World:
    tmp = tmp_path_factory.mktemp("policy-gate")
    protected = tmp / "protected"
    protected.mkdir()
    named = tmp / "named"  # files named one by one: a pattern must be read to meet them
    named.mkdir()
    policy = f"""
[defaults]
unmatched = "allow"
unknown = "confirm"
uncertain = "deny"
confirm_timeout = "2s"

[[rules]]
name = "no-protected-writes"
action = "deny"
commands = [">", "touch", "rm"]
paths = ["{protected}/**"]
message = "the protected folder is not changed"

[[rules]]
name = "no-named-writes"
action = "deny"
commands = [">", "touch", "rm"]
paths = ["{named}/nocase", "{named}/posix", "{named}/pwd"]
message = "the named files are not changed"

[[rules]]
name = "no-pipe-into-shell"
action = "deny"
commands = ["|"]
message = "text piped into a shell is not run"

[[rules]]
name = "alert-copy-out"
action = "alert"
commands = ["scp"]
message = "File transfer from the target."
"""
    w = World(tmp, policy=policy)
    w.protected = protected
    w.named = named
    alice = w.person("alice")
    w.grant(alice, duration=3600)
    yield w
    w.close()


@pytest.mark.parametrize("shell", ["rbash", "dash", "bash -o emacs", "sh -o vi", "bash -O extglob",
                                   "x=bash; $x"])  # a shell named by a variable (attack t29f, 8)
def test_a_shell_fed_on_stdin_has_each_statement_judged(world: World, shell: str) -> None:
    if "=" not in shell and shutil.which(shell.split()[0]) is None:
        pytest.skip(f"{shell.split()[0]} is not installed")
    alice = world.person("alice")
    canary = world.protected / f"canary-{shell.replace(' ', '_')}"
    script = f"echo first\ntouch {canary}\necho last\n".encode()
    r = alice.run(f"{LOGIN}@web01", shell, input=script)
    assert b"first" in r.stdout and b"last" in r.stdout, r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert not canary.exists()


def test_a_protected_path_spelled_otherwise_is_refused(world: World) -> None:
    alice = world.person("alice")
    canary = world.protected / "spelled"
    spelled = f"{world.protected.parent}//protected/./x/../spelled"
    r = alice.run(f"{LOGIN}@web01", f"echo x >> {spelled}")
    assert r.returncode == 126
    assert b"denied: the protected folder is not changed" in r.stderr
    assert not canary.exists()


def scp(world: World, src: Path, remote: str) -> subprocess.CompletedProcess:
    alice = world.person("alice")
    base = alice.ssh_args(f"{LOGIN}@web01")
    port_at = base.index("-p")
    options = base[1:port_at] + base[port_at + 2:-1]
    return subprocess.run(
        ["scp", "-O", "-P", str(world.bastion.port), *options, str(src),
         f"{LOGIN}@web01@127.0.0.1:{remote}"],
        capture_output=True, env=alice.env(), timeout=60)


def test_legacy_scp_onto_a_protected_path_is_refused_with_the_rules_message(
    world: World, tmp_path: Path
) -> None:
    src = tmp_path / "payload"
    src.write_bytes(b"ALL ALL=(ALL) NOPASSWD: ALL\n")
    r = scp(world, src, f"{world.protected}/./sudoers")
    assert r.returncode != 0
    assert b"the protected folder is not changed" in r.stderr
    assert not (world.protected / "sudoers").exists()
    row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line LIKE 'scp %sudoers' "
                              "ORDER BY id DESC LIMIT 1")
    assert row == {"verdict": "deny", "rule": "no-protected-writes"}


def test_legacy_scp_elsewhere_is_a_transfer_not_a_copy_out_alert(
    world: World, tmp_path: Path
) -> None:
    src = tmp_path / "notes"
    src.write_bytes(b"hello\n")
    remote = tmp_path / "uploaded"
    r = scp(world, src, str(remote))
    assert r.returncode == 0, r.stderr
    assert remote.read_bytes() == b"hello\n"
    row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line LIKE 'scp %uploaded' "
                              "ORDER BY id DESC LIMIT 1")
    assert row["verdict"] == "allow", row


# Outside attack B, findings 5-7: the stdin gate, end to end.

@pytest.mark.parametrize("command", [
    "bash /dev/fd/3 3<&0", "BASH_ENV=/dev/stdin bash -c :", "sh /proc/self/fd/0",
    "bash /proc/self/root/dev/stdin", ". /dev/stdin", "bash < /dev/stdin",
])
def test_a_shell_reading_its_stdin_under_another_name_has_each_statement_judged(
    world: World, command: str
) -> None:
    alice = world.person("alice")
    canary = world.protected / f"named-{abs(hash(command))}"
    r = alice.run(f"{LOGIN}@web01", command,
                  input=f"echo first\ntouch {canary}\necho last\n".encode())
    assert b"denied: the protected folder is not changed" in r.stderr, r.stderr
    assert not canary.exists()


def test_text_piped_into_a_shell_through_a_descriptor_is_refused(world: World) -> None:
    alice = world.person("alice")
    canary = world.protected / "piped-fd3"
    r = alice.run(f"{LOGIN}@web01", f"printf 'touch {canary}\\n' | bash /dev/fd/3 3<&0")
    assert r.returncode == 126
    assert b"denied: text piped into a shell is not run" in r.stderr
    assert not canary.exists()


def test_nul_bytes_on_stdin_are_dropped_as_bash_drops_them_before_the_line_is_judged(
    world: World,
) -> None:
    alice = world.person("alice")
    canary = world.protected / "nul"
    r = alice.run(f"{LOGIN}@web01", "bash", input=f"tou\0ch {canary}\necho after\n".encode())
    assert b"denied: the protected folder is not changed" in r.stderr, r.stderr
    assert b"after" in r.stdout
    assert not canary.exists()


def test_a_statement_that_reads_the_scripts_own_stdin_is_held_and_what_it_skips_runs_nothing(
    world: World,
) -> None:
    # bash would go on after `read` from the line it did not eat: the gate's quoted word
    # `'<LF>touch ...<LF>'` would be a touch. The read is held (and expires unconfirmed).
    alice = world.person("alice")
    canary = world.protected / "read-skip"
    script = f"read -r skipped\n'\ntouch {canary}\n'\necho after\n".encode()
    r = alice.run(f"{LOGIN}@web01", "bash", input=script)
    assert b"may read the script after it" in r.stderr, r.stderr
    assert b"expired" in r.stderr
    assert b"after" in r.stdout
    assert not canary.exists()
    row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line = 'read -r skipped' "
                              "ORDER BY id DESC LIMIT 1")
    assert row == {"verdict": "confirm", "rule": "defaults.unknown"}


def test_a_script_on_stdin_writes_where_its_own_variables_say_until_a_trap_may_change_them(
    world: World,
) -> None:
    # Issue 12, attack M13: `$d/$i` is the value the script set (policy/known.py); a statement
    # denied is not sent, so `i` still holds 3; after a DEBUG trap (which runs before every
    # command and sets i) nothing is known, and the touch it would aim is held, unconfirmed.
    alice = world.person("alice")
    releases = world.protected.parent / "releases"
    releases.mkdir(exist_ok=True)
    script = (f"d={releases}\n"
              "i=3\n"
              'touch "$d/$i.ok"\n'
              'i=../protected; touch "$d/$i/denied"\n'
              'touch "$d/$i.still"\n'
              "trap 'i=../protected' DEBUG\n"
              "i=4\n"
              'touch "$d/$i/trapped"\n'
              "echo after\n").encode()
    r = alice.run(f"{LOGIN}@web01", "bash", input=script)
    assert (releases / "3.ok").exists() and (releases / "3.still").exists(), r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert b"expired" in r.stderr
    assert b"after" in r.stdout
    assert not (world.protected / "denied").exists()
    assert not (world.protected / "trapped").exists()
    row = world.ctx.store.one("SELECT verdict FROM commands WHERE line = "
                              "'touch \"$d/$i/trapped\"' ORDER BY id DESC LIMIT 1")
    assert row == {"verdict": "confirm"}


def test_an_exec_command_that_reads_stdin_before_its_shell_does_is_held(world: World) -> None:
    alice = world.person("alice")
    canary = world.protected / "exec-read"
    r = alice.run(f"{LOGIN}@web01", "read -r x; bash",
                  input=f"'\ntouch {canary}\n'\n".encode())
    assert r.returncode == 126
    assert b"expired" in r.stderr
    assert not canary.exists()
    row = world.ctx.store.one("SELECT verdict, message FROM commands WHERE line = "
                              "'read -r x; bash' ORDER BY id DESC LIMIT 1")
    assert row["verdict"] == "confirm"
    assert "read may read the stdin the shell reads its commands from" in row["message"]


# Outside attack C, findings 4, 7, 8, 9, 12: the command filter's remaining gaps, end to end.

def test_a_here_document_word_bash_and_dash_read_apart_lets_nothing_after_it_run(
    world: World,
) -> None:
    # bash ends `<<$'EOF'` at a line EOF, dash at $EOF: the rest of the script is one statement,
    # judged whole; the touch after bash's end is a command.
    alice = world.person("alice")
    canary = world.protected / "heredoc-word"
    script = f"cat <<$'EOF'\nEOF\ntouch {canary}\n$'EOF'\necho after\n".encode()
    r = alice.run(f"{LOGIN}@web01", "bash", input=script)
    assert b"denied: the protected folder is not changed" in r.stderr, r.stderr
    assert not canary.exists()
    r = alice.run(f"{LOGIN}@web01", f"cat <<$'EOF'\nEOF\ntouch {canary}\n$'EOF'")
    assert r.returncode == 126
    assert not canary.exists()


@pytest.mark.skipif(shutil.which("dash") is None, reason="needs dash")
def test_lines_dash_reads_otherwise_than_bash_are_judged_as_dash_reads_them(world: World) -> None:
    alice = world.person("alice")
    canary = world.protected / "dash"
    r = alice.run(f"{LOGIN}@web01", f"dash -c '[[ x || touch {canary} ]]'")
    assert r.returncode == 126
    assert b"denied: the protected folder is not changed" in r.stderr
    r = alice.run(f"{LOGIN}@web01", "dash",
                  input=f"echo x &>/dev/null touch {canary}\necho after\n".encode())
    assert b"denied: the protected folder is not changed" in r.stderr, r.stderr
    assert b"after" in r.stdout
    assert not canary.exists()


@pytest.mark.parametrize("command", [
    "env -C {p} touch chdir", "env --ch={p} touch chdir", "timeout --sig KILL 5 touch {p}/x",
    "echo x >> /proc/self/root{p}/proc-root",
])
def test_a_command_run_elsewhere_or_through_another_spelling_is_judged_where_it_writes(
    world: World, command: str
) -> None:
    alice = world.person("alice")
    r = alice.run(f"{LOGIN}@web01", command.format(p=world.protected))
    assert r.returncode == 126, r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert list(world.protected.iterdir()) == []


def test_a_write_through_proc_self_cwd_is_judged_from_the_logins_home(world: World) -> None:
    home = pwd.getpwnam(LOGIN).pw_dir
    if home != ("/root" if LOGIN == "root" else f"/home/{LOGIN}"):
        pytest.skip("the policy takes the login's home to be /root or /home/LOGIN")
    alice = world.person("alice")
    up = "../" * len(Path(home).parts[1:])
    r = alice.run(f"{LOGIN}@web01", f"echo x >> /proc/self/cwd/{up}{str(world.protected)[1:]}/cwd")
    assert r.returncode == 126, r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert not (world.protected / "cwd").exists()


# Outside attack E, findings 6 and 8: the stdin gate, end to end.

@pytest.mark.parametrize(("reader", "how"), [
    ("read -u 0 x", "bash"), ("exec 3<&0\nread -u 3 x", "bash"),
    ("head -c 2 /dev/stdin", "login shell"), ("dd bs=2 count=1 if=/proc/self/fd/0", "bash"),
])
def test_a_statement_reading_the_scripts_stdin_by_descriptor_or_name_is_held(
    world: World, reader: str, how: str
) -> None:
    # As `read -r` above, but through `-u 0`, a copy of descriptor 0, or a name of stdin given
    # as a file: bash would go on from wherever the reader stopped.
    alice = world.person("alice")
    canary = world.protected / f"reader-{abs(hash(reader))}"
    script = f"{reader}\n'\ntouch {canary}\n'\necho after\n".encode()
    if how == "bash":
        r = alice.run(f"{LOGIN}@web01", "bash", input=script)
    else:  # `ssh -T` with no command: the login shell reads the script
        r = alice.run(f"{LOGIN}@web01", input=script, extra=("-T",))
    assert b"may read the script after it" in r.stderr, r.stderr
    assert b"expired" in r.stderr
    assert not canary.exists()


@pytest.mark.parametrize(("shell", "swap"), [
    ("bash", "exec 0<<<'touch {c}'"), ("bash", "exec < <(echo touch {c})"),
    ("dash", "exec <<'E'\ntouch {c}\nE"),
])
def test_a_script_that_gives_its_shell_another_stdin_is_held(
    world: World, shell: str, swap: str
) -> None:
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed")
    alice = world.person("alice")
    canary = world.protected / f"swap-{abs(hash(swap))}"
    r = alice.run(f"{LOGIN}@web01", shell,
                  input=f"echo first\n{swap.format(c=canary)}\necho after\n".encode())
    assert b"first" in r.stdout and b"after" in r.stdout, r.stderr
    assert b"gives the shell another stdin" in r.stderr, r.stderr
    assert not canary.exists()


def test_a_cd_in_a_subshell_does_not_move_where_a_later_write_is_judged(world: World) -> None:
    """Attack G, finding 1: `(cd /tmp)` moved the policy's directory, not bash's."""
    alice = world.person("alice")
    r = alice.run(f"{LOGIN}@web01", f"cd {world.protected}; (cd /tmp); echo x >> subshell; "
                                    f"bash -c 'cd /tmp'; touch nested")
    assert r.returncode == 126, r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert list(world.protected.iterdir()) == []

# Outside attack G, finding 2: a program that reads a command language (which can run shell
# commands) from its stdin reads its program there, as an interpreter does.

@pytest.mark.parametrize(("command", "feed"), [
    ("sqlite3", ".shell touch {canary}\n"),
    ("ed -s /dev/null", "!touch {canary}\nq\n"),
    ("gdb -q -nx", "shell touch {canary}\n"),
])
def test_an_exec_program_reading_shell_escapes_on_stdin_is_held(world: World, command: str,
                                                                 feed: str) -> None:
    if shutil.which(command.split()[0]) is None:
        pytest.skip(f"{command.split()[0]} is not installed")
    alice = world.person("alice")
    canary = world.protected / f"fed-{command.split()[0]}"
    r = alice.run(f"{LOGIN}@web01", command, input=feed.format(canary=canary).encode())
    assert r.returncode == 126
    assert b"expired" in r.stderr
    assert not canary.exists()
    row = world.ctx.store.one("SELECT verdict, message FROM commands WHERE line = ? "
                              "ORDER BY id DESC LIMIT 1", (command,))
    assert row == {"verdict": "confirm", "message": "an interpreter reading its program from stdin"}


def test_a_script_on_stdin_that_starts_gdb_holds_gdb_and_its_commands_run_nothing(
    world: World,
) -> None:
    # The stdin gate: gdb would read the script's next line as its own command. Held (and left
    # to expire), gdb never runs: bash reads that line itself, a command it does not have.
    if shutil.which("gdb") is None:
        pytest.skip("gdb is not installed")
    alice = world.person("alice")
    # Outside the protected folder: else bash's own reading of the line, a program the policy
    # does not read naming a protected file, would be held too.
    canary = world.protected.parent / "gdb-script"
    r = alice.run(f"{LOGIN}@web01", "bash",
                  input=f"gdb -q -nx\nshell touch {canary}\necho after\n".encode())
    assert b"gdb -q -nx may read the script after it" in r.stderr, r.stderr
    assert b"expired" in r.stderr
    assert b"shell: command not found" in r.stderr
    assert b"after" in r.stdout
    assert not canary.exists()


# Outside attack a10f, finding 10: a program no table reads, given no operand, may take its
# program from stdin (an interpreter no table knows). Its first data is held; with none it runs.

def test_an_unread_program_given_no_operand_runs_and_its_first_data_is_held(world: World) -> None:
    runner = world.protected.parent / "runner"  # what a site's own interpreter looks like
    runner.write_text("#!/bin/sh\necho started\nexec sh\n")
    runner.chmod(0o755)
    alice = world.person("alice")
    honest = alice.run(f"{LOGIN}@web01", str(runner))
    assert honest.returncode == 0 and honest.stdout == b"started\n", honest.stderr
    canary = world.protected.parent / "fed-runner"
    r = alice.run(f"{LOGIN}@web01", str(runner), input=f"touch {canary}\n".encode())
    assert b"it may take the data sent to it as its program" in r.stderr, r.stderr
    assert b"expired" in r.stderr
    assert not canary.exists()
    row = world.ctx.store.one("SELECT verdict FROM commands WHERE line = ? ORDER BY id DESC LIMIT 1",
                              (f"{runner} (given data on its standard input)",))
    assert row == {"verdict": "confirm"}


# Outside attack I, findings 3 and 4: a program reading its program from stdin whatever
# arguments follow, and a recursive copy onto the target itself.

@pytest.mark.parametrize(("command", "feed"), [
    ("sed -n -f - /etc/hostname", "1e touch {canary}\n"),
    ("python3 - x", "open('{canary}', 'w')\n"),
    # outside attack S, finding 8: a module name holding an `e` was taken for `perl -e`
    ("perl -MData::Dumper", "open(my $f, '>', '{canary}');\n"),
])
def test_an_exec_program_reading_its_program_from_stdin_before_its_operands_is_held(
    world: World, command: str, feed: str,
) -> None:
    alice = world.person("alice")
    canary = world.protected / f"program-{command.split()[0]}"
    r = alice.run(f"{LOGIN}@web01", command, input=feed.format(canary=canary).encode())
    assert r.returncode == 126, r.stderr
    assert b"expired" in r.stderr
    assert not canary.exists()
    row = world.ctx.store.one("SELECT verdict, message FROM commands WHERE line = ? "
                              "ORDER BY id DESC LIMIT 1", (command,))
    assert row == {"verdict": "confirm", "message": "an interpreter reading its program from stdin"}


def test_a_script_line_that_runs_sed_on_its_stdin_is_held_and_its_program_runs_nothing(
    world: World,
) -> None:
    # sed would take the script's next line as its program (`1e CMD` runs CMD). Held and left
    # to expire, sed never runs: bash reads that line itself, a command it does not have.
    alice = world.person("alice")
    # Outside the protected folder: else bash's own reading of the line, a program the policy
    # does not read naming a protected file, would be held too.
    canary = world.protected.parent / "sed-script"
    r = alice.run(f"{LOGIN}@web01", "bash",
                  input=f"sed -n -f - /etc/hostname\n1e touch {canary}\necho after\n".encode())
    assert b"may read the script after it" in r.stderr, r.stderr
    assert b"expired" in r.stderr
    assert b"1e: command not found" in r.stderr
    assert b"after" in r.stdout
    assert not canary.exists()


@pytest.mark.parametrize("copy", ["cp -rT {src} {p}", "cp {src} {p} -aT"])
def test_a_recursive_copy_onto_the_protected_folder_itself_is_refused(world: World,
                                                                      copy: str) -> None:
    src = world.protected.parent / "tree"
    src.mkdir(exist_ok=True)
    (src / "planted").write_text("x\n")
    alice = world.person("alice")
    r = alice.run(f"{LOGIN}@web01", copy.format(src=src, p=world.protected))
    assert r.returncode == 126, r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert list(world.protected.iterdir()) == []


# Attack I: a `cd` that fails leaves bash where it was (finding 1); a function body runs where
# the shell is at its call (finding 2). Breadth in tests/test_policy.py (STATE_BASH_KEEPS).
@pytest.mark.parametrize("line", [
    "cd {p}; cd /nonexistent; echo x >> sudoers-cd",
    "cd /tmp; f() {{ echo x >> sudoers-f; }}; cd {p}; f",
], ids=["failed-cd", "function-body"])
def test_a_line_is_judged_where_bash_is_when_each_part_runs(world: World, line: str) -> None:
    alice = world.person("alice")
    before = sorted(p.name for p in world.protected.iterdir())
    r = alice.run(f"{LOGIN}@web01", line.format(p=world.protected))
    assert r.returncode == 126, r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert sorted(p.name for p in world.protected.iterdir()) == before


def test_a_failed_move_on_a_shells_stdin_is_judged(world: World) -> None:
    # The same line through the stdin gate. (`exec 0</nonexistent; bash`, whose shell reads on
    # from the line's stdin, is held: test_which_exec_commands_read_their_program_from_stdin.)
    alice = world.person("alice")
    script = f"echo start\ncd {world.protected}; cd /nonexistent; touch stdin-cd\necho end\n"
    r = alice.run(f"{LOGIN}@web01", "bash", input=script.encode())
    assert b"start" in r.stdout and b"end" in r.stdout, r.stderr
    assert b"denied: the protected folder is not changed" in r.stderr
    assert not (world.protected / "stdin-cd").exists()


# Attack K, finding 1: a source whose last part is `..` names the contents of the folder above,
# as `SRC/.` does: copied into the folder that holds the protected one, a tree carrying
# `protected/planted` lands in it. Finding 2: the path xargs appends reaches the writes of tee
# and install. Breadth in tests/test_policy.py (ATTACK_K_HELD).
@pytest.mark.parametrize("line", [
    "cp -r {src}/sub/.. {d}", "cp -rt {d} {src}/sub//..//",
], ids=["dotdot", "target-dotdot"])
def test_a_recursive_copy_of_a_folders_contents_by_dotdot_is_refused(world: World, line: str) -> None:
    src = world.protected.parent / "ktree"
    (src / "sub").mkdir(parents=True, exist_ok=True)
    (src / "protected").mkdir(exist_ok=True)
    (src / "protected" / "planted-k").write_text("x\n")
    alice = world.person("alice")
    line = line.format(src=src, d=world.protected.parent)
    r = alice.run(f"{LOGIN}@web01", line)
    # DEST/** is a pattern that may meet the rule's paths: held, and it expires unconfirmed.
    assert r.returncode == 126, r.stderr
    assert b"expired" in r.stderr
    assert not (world.protected / "planted-k").exists()
    row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line = ? ORDER BY id DESC "
                              "LIMIT 1", (line,))
    assert row == {"verdict": "confirm", "rule": "no-protected-writes"}


@pytest.mark.parametrize("command", ["xargs tee", "xargs install {src}"], ids=["tee", "install"])
def test_a_writer_given_its_file_by_xargs_is_held(world: World, command: str) -> None:
    src = world.protected.parent / "kfile"
    src.write_text("planted\n")
    alice = world.person("alice")
    target = world.protected / f"xargs-{command.split()[1]}"
    line = command.format(src=src)
    r = alice.run(f"{LOGIN}@web01", line, input=f"{target}\n".encode())
    assert r.returncode == 126, r.stderr
    assert b"expired" in r.stderr
    assert not target.exists()
    row = world.ctx.store.one("SELECT verdict FROM commands WHERE line = ? ORDER BY id DESC LIMIT 1",
                              (line,))
    assert row == {"verdict": "confirm"}


def test_a_copy_that_keeps_its_path_or_unpacks_into_the_folder_is_stopped(world: World) -> None:
    """Attack M, finding 5 and its class: `cp --parents` lands protected/x under the parent
    named as the destination (refused), and `tar -x -C PROTECTED` lands names the line cannot
    see (held, and it expires unconfirmed). Nothing lands either way."""
    src = world.protected.parent / "mcopies"
    (src / "protected").mkdir(parents=True, exist_ok=True)
    (src / "protected" / "m-parents").write_text("planted\n")
    (src / "m-untarred").write_text("planted\n")
    subprocess.run(["tar", "-cf", str(src / "a.tar"), "-C", str(src), "m-untarred"], check=True)
    alice = world.person("alice")
    for line, landed, verdict in (
            (f"cd {src} && cp --parents protected/m-parents {world.protected.parent}", "m-parents",
             "deny"),
            (f"tar -xf {src}/a.tar -C {world.protected}", "m-untarred", "confirm")):
        r = alice.run(f"{LOGIN}@web01", line)
        assert r.returncode != 0, line
        message = b"denied: the protected folder is not changed" if verdict == "deny" else b"expired"
        assert message in r.stderr, r.stderr
        assert not (world.protected / landed).exists()
        row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line = ? ORDER BY id "
                                  "DESC LIMIT 1", (line,))
        assert row == {"verdict": verdict, "rule": "no-protected-writes"}

def test_an_archive_unpacked_into_the_folder_by_ar_or_dpkg_deb_is_held_and_lands_nowhere(
        world: World) -> None:
    """Attack Q, finding 2: `cd PROTECTED && ar x A` and `dpkg-deb -x A PROTECTED` unpack names
    the line cannot see into the folder: held, and they expire unconfirmed. The same archives
    unpacked elsewhere are allowed and land, so the archives are real."""
    src = world.protected.parent / "qarchives"
    elsewhere = world.protected.parent / "qelsewhere"
    (src / "pkg" / "DEBIAN").mkdir(parents=True, exist_ok=True)
    elsewhere.mkdir(exist_ok=True)
    (src / "q-ar").write_text("ALL ALL=(ALL) NOPASSWD: ALL\n")
    subprocess.run(["ar", "rc", str(src / "a.ar"), "q-ar"], cwd=src, check=True)
    (src / "pkg" / "q-deb").write_text("ALL ALL=(ALL) NOPASSWD: ALL\n")
    (src / "pkg" / "DEBIAN" / "control").write_text(
        "Package: q\nVersion: 1\nArchitecture: all\nMaintainer: q <q@q>\nDescription: q\n")
    # dpkg-deb wants DEBIAN between 0755 and 0775, whatever umask an earlier test left.
    for made, mode in ((src / "pkg" / "DEBIAN", 0o755), (src / "pkg", 0o755), (src, 0o777),
                       (elsewhere, 0o777), (src / "a.ar", 0o644)):
        made.chmod(mode)
    built = subprocess.run(["dpkg-deb", "--root-owner-group", "-b", str(src / "pkg"), str(src / "a.deb")],
                           capture_output=True)
    assert built.returncode == 0, built.stderr
    alice = world.person("alice")
    for unpack, landed in (("cd {d} && ar x " + f"{src}/a.ar", "q-ar"),
                           (f"dpkg-deb -x {src}/a.deb " + "{d}", "q-deb")):
        honest = alice.run(f"{LOGIN}@web01", unpack.format(d=elsewhere))
        assert honest.returncode == 0, honest.stderr
        assert (elsewhere / landed).exists()
        line = unpack.format(d=world.protected)
        r = alice.run(f"{LOGIN}@web01", line)
        assert r.returncode != 0, line
        assert b"expired" in r.stderr, r.stderr
        assert not (world.protected / landed).exists()
        row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line = ? ORDER BY id "
                                  "DESC LIMIT 1", (line,))
        assert row == {"verdict": "confirm", "rule": "no-protected-writes"}


# Attack O: a writer's file after `--` (finding 1), and a system configuration read from stdin
# under another name (finding 6). Each, run, makes its canary.
ATTACK_O_WRITERS = {
    "history": ("set -o history; history -s 'ALL ALL=(ALL) NOPASSWD: ALL'; history -w -- {canary}",
                None, b"denied: the protected folder is not changed"),
    "tmpfiles": ("systemd-tmpfiles --create /dev//stdin", "f {canary} 0644 - - - planted\n",
                 b"expired"),
}


@pytest.mark.parametrize("case", list(ATTACK_O_WRITERS))
def test_a_writer_the_policy_read_otherwise_than_the_program_is_refused_or_held(world: World,
                                                                                 case: str) -> None:
    if case == "tmpfiles" and shutil.which("systemd-tmpfiles") is None:
        pytest.skip("systemd-tmpfiles is not installed")
    line, stdin, said = ATTACK_O_WRITERS[case]
    canary = world.protected / f"attack-o-{case}"
    line = line.format(canary=canary)
    r = world.person("alice").run(f"{LOGIN}@web01", line,
                                  input=stdin.format(canary=canary).encode() if stdin else None)
    assert r.returncode == 126, r.stderr
    assert said in r.stderr
    assert not canary.exists()

def test_git_writes_hidden_by_output_or_an_alias_are_refused(world: World, tmp_path: Path) -> None:
    # Attack O (issue 12), findings 2 and 3: `--output` on a subcommand outside the diff family,
    # and an alias set on the line that hides it; the breadth is in tests/test_policy_git.py.
    repo = tmp_path / "repo"
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@t"]
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run([*git, "commit", "-q", "--allow-empty", "-m", "m"], check=True)
    alice = world.person("alice")
    alias = "git -C {r} -c alias.l='log -1 --format=tformat:ALL --output={d}/{n}' l"
    # The control: the alias writes its file where nothing protects it, so git does what the
    # refused lines would have done.
    done = alice.run(f"{LOGIN}@web01", alias.format(r=repo, d=tmp_path, n="written"))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "written").read_text() == "ALL\n"
    for line in (f"git -C {repo} reflog -1 --format=tformat:ALL --output={world.protected}/reflog",
                 alias.format(r=repo, d=world.protected, n="alias")):
        r = alice.run(f"{LOGIN}@web01", line)
        assert r.returncode == 126, (line, r.stderr)
        assert b"denied: the protected folder is not changed" in r.stderr
    assert list(world.protected.iterdir()) == []

# Outside attack O, findings 5 and 7: a command cmake -E runs, and a python module named in a
# cluster of options that reads its program from stdin.

def test_a_command_cmake_runs_is_refused_and_python_Im_reading_stdin_is_held(world: World) -> None:
    if shutil.which("cmake") is None:
        pytest.skip("cmake is not installed")
    alice = world.person("alice")
    canary = world.protected / "cmake-env"
    r = alice.run(f"{LOGIN}@web01", f"cmake -E env A=1 sh -c 'touch {canary}'")
    assert r.returncode == 126
    assert b"denied: the protected folder is not changed" in r.stderr
    assert not canary.exists()

    canary = world.protected / "python-Im"
    r = alice.run(f"{LOGIN}@web01", "python3 -Im asyncio",
                  input=f"open('{canary}', 'w').write('x')\n".encode())
    assert r.returncode == 126
    assert b"expired" in r.stderr
    assert not canary.exists()
    row = world.ctx.store.one("SELECT verdict, message FROM commands WHERE line = ? "
                              "ORDER BY id DESC LIMIT 1", ("python3 -Im asyncio",))
    assert row == {"verdict": "confirm", "message": "an interpreter reading its program from stdin"}


def test_a_declaration_builtin_behind_command_is_held_and_its_arithmetic_runs_nothing(
    world: World,
) -> None:
    # Attack Q: `command declare -i` is bash's declaration builtin, whose arithmetic on
    # `a[$(...)]` runs the command; it is judged as `declare -i` is (held, then expires).
    alice = world.person("alice")
    canary = world.protected.parent / "declare-canary"
    line = f"command declare -i 'i=a[$(touch {canary})]'"
    r = alice.run(f"{LOGIN}@web01", line)
    assert r.returncode == 126, r.stderr
    assert b"expired" in r.stderr
    assert not canary.exists()
    row = world.ctx.store.one("SELECT verdict, rule FROM commands WHERE line = ? "
                              "ORDER BY id DESC LIMIT 1", (line,))
    assert row == {"verdict": "confirm", "rule": "defaults.unknown"}


def test_find_fills_in_braces_inside_a_word_where_they_land(world: World) -> None:
    """Attack S, finding 4: GNU find replaces `{}` inside any word, so `of={}/x` and `-o{}/x`
    write under each file found: refused where that is the protected folder, run elsewhere."""
    src = world.protected.parent / "s3-src"
    src.write_text("planted\n")
    other = world.protected.parent / "s3-open"
    other.mkdir(exist_ok=True)
    alice = world.person("alice")
    parent = world.protected.parent
    for line in (f"find {parent} -maxdepth 1 -name protected -exec dd if={src} of={{}}/s3-dd \\;",
                 f"find {parent} -maxdepth 1 -name protected -exec sort -o{{}}/s3-sort {src} \\;"):
        r = alice.run(f"{LOGIN}@web01", line)
        assert r.returncode == 126, (line, r.stderr)
        assert b"denied: the protected folder is not changed" in r.stderr
    assert not (world.protected / "s3-dd").exists() and not (world.protected / "s3-sort").exists()
    r = alice.run(f"{LOGIN}@web01", f"find {parent} -maxdepth 1 -name s3-open -exec sort "
                                    f"-o{{}}/s3-sort {src} \\;")
    assert r.returncode == 0, r.stderr
    assert (other / "s3-sort").read_text() == "planted\n"


# Outside attack j19f, finding 2: MAILCHECK is an integer in every interactive bash, so an
# assignment's subscript runs (its statement is held: the policy rows). Since attack q26o,
# finding 4, a script fed to `bash -i` without a pty is not run at all: readline edits it.

def test_a_script_fed_to_an_interactive_bash_without_a_pty_runs_nothing(world: World) -> None:
    alice = world.person("alice")
    canary = world.protected.parent / "mailcheck-canary"
    script = f"echo first\nMAILCHECK='a[$(touch {canary})]'\necho last\n".encode()
    r = alice.run(f"{LOGIN}@web01", "bash --norc -i", input=script)
    assert r.returncode == 126 and b"bash -i puts what reads this channel on a terminal" in r.stderr
    assert b"first" not in r.stdout
    assert not canary.exists()


# Attack p25f, findings 1, 2, 4: a pattern or tilde bash reads otherwise, end to end.

@pytest.mark.parametrize(("setup", "command"), [
    ("nocase", "shopt -s nocaseglob; echo RAN >> {p}/NOCAS[E]"),
    ("posix", "echo RAN >> {p}/posi[[.x.]]"),
    (None, "PWD={p}; touch ~+/pwd"),
])
def test_a_pattern_or_tilde_bash_reads_otherwise_is_held(world: World, setup: str | None,
                                                         command: str) -> None:
    alice = world.person("alice")
    if setup:
        (world.named / setup).write_text("orig\n")
    r = alice.run(f"{LOGIN}@web01", command.format(p=world.named))
    assert r.returncode == 126, r.stderr
    assert b"expired" in r.stderr
    assert not (world.named / "pwd").exists()
    assert all(f.read_text() == "orig\n" for f in world.named.iterdir())
