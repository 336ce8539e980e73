"""Init scripts run under other spellings (outside attack v31f, findings 10 and 12): the rules
and the server table read `/etc/init.d/NAME ACTION` (the script judged as the program NAME with
its action: no-security-init-script-stop, the shell servers a start gives), but the same
script also runs

- by another spelling of its path: `/etc//init.d/X`, `/etc/./init.d/X`, `/etc/init.d/../init.d/X`,
  a relative path after a `cd` on the line (`cd /etc/init.d && ./X start`);
- through its runlevel links, `/etc/rc2.d/S01X`, `/etc/rc0.d/K01X`, `/etc/rc.d/rc3.d/S55X`
  (sysvinit runs the script itself);
- as a shell's operand or sourced: `sh /etc/init.d/X stop`, `bash -e ...`, `. /etc/init.d/X stop`,
  `source ...` (its `$1` is the same);
- with more words after the action: Debian's scripts and the LSB hook to systemd read `$1` only
  (`/etc/init.d/ufw stop now` stops ufw).

`init_script_commands` gives, for such a command, the plain `/etc/init.d/NAME ACTION` it
amounts to (ACTION its first word), which the collector judges as run by it; and a firewall
front-end's shell helper given to a shell (`sh /lib/ufw/ufw-init flush-all`) as run itself.
"""

from __future__ import annotations

import re

from bastion.command_control.policy.interpreted_scripts import interpreted_programs, pattern_programs
from bastion.command_control.policy.paths import normalise_path, through_proc
from bastion.command_control.policy.script_spellings import (
    GLOB,
    descriptor_script,
    fed_files,
    folder_texts,
    own_spelling,
    pattern_paths,
    program_script,
    sourced_script,
    tilde_root,
)
from bastion.command_control.policy.short_options import is_cluster, read_cluster
from bastion.command_control.policy.words import _Site, _Word

_SCRIPT = re.compile(r"/etc/(?:rc\.d/)?init\.d/(?P<name>[^/]+)|/etc/rc\.d/(?P<rc>rc)")
# a runlevel link: S (start) or K (kill) and its order, then the script's name
_LINK = re.compile(r"/etc/(?:rc\.d/)?rc[0-6sS]\.d/[SK][0-9]*(?P<name>[^/]+)")
_SHELLS = frozenset({"sh", "bash", "dash", "ash", "ksh", "ksh93", "mksh", "pdksh", "posh",
                     "zsh", "yash", "bosh", "rbash", "hush", "oksh", "loksh",
                     "openrc-run", "runscript"})  # OpenRC's interpreter of its scripts
_SOURCES = frozenset({".", "source"})
# the firewall front-ends' shell helpers that dispatch on `$1` as init scripts do (finding 13)
# (netfilter-persistent's plugins are 15-ip4tables and 25-ip6tables: attack z35f, finding 8)
_HELPER = re.compile(r"ufw-init|netfilter-persistent|[0-9]+-ip[46]?tables|apf|shorewall6?(-lite)?")
# a shell's long options that take the next word (its short ones: `-o`, `-O`, in a cluster too)
_SHELL_LONG_VALUE = frozenset({"--rcfile", "--init-file"})


def init_script_commands(name: str, words: list[_Word], dirs: list[str],
                         site: _Site | None = None) -> list[tuple[str, ...]]:
    """The plain `/etc/init.d/NAME ACTION` a command runs an init script as, where it is
    spelled otherwise (`dirs`: the directories a relative path may be read from on the line);
    [] for the plain spelling and for other commands. A word known only at run time gives
    nothing here. Also a program's own script given to a shell or an interpreter, as that
    program's command (script_spellings.py: attack z35f)."""
    values = [w.value for w in words]
    if not values or None in values:
        return []
    dirs = folder_texts(dirs)  # `cd ~root/../etc/init.d` (attack c38f, finding 10)
    strings = [v for v in values if v is not None]
    programs = interpreted_programs(name, strings, {i for i, w in enumerate(words) if w.glob},
                                    dirs, fed_files(site))
    if programs:
        return programs  # `python3 /usr/sbin/ufw disable`, `ruby -S irb` (z35f 19, a36f 1, 2, 6)
    at, fed = 0, None
    if name in _SHELLS or name in _SOURCES:
        at, letters = 1, ""
        while at < len(strings) and strings[at][:1] in ("-", "+") and strings[at] not in ("-", "--"):
            if is_cluster(strings[at], plus=True):
                # `-eo pipefail`, `-euxo pipefail`, `+o posix`: every `o`/`O` takes the next
                # word (attack x33f, finding 2)
                cluster = read_cluster(strings[at], "oO", getopt=False)
                letters += cluster.letters
                at += 1 + cluster.nexts
            else:
                at += 2 if strings[at] in _SHELL_LONG_VALUE else 1
        if at < len(strings) and strings[at] in ("--", "-"):
            at += 1  # a lone `-` ends the options as `--` does (attack z35f, finding 14)
        files = fed_files(site)
        if "c" in letters and name in _SHELLS:
            # `sh -c '. /etc/init.d/ufw' x stop`: `.` keeps the outer `$1` (z35f, finding 8)
            sourced = sourced_script(strings[at]) if at < len(strings) else None
            if sourced is None:
                return []
            strings, at = [name, sourced, *strings[at + 2:]], 1
        elif at >= len(strings) or "s" in letters:
            if 0 not in files or name not in _SHELLS:
                return []  # `sh -s`: the script on stdin, not a file the line names
            fed = files[0]  # `sh -s stop < /etc/init.d/ufw` (z35f, finding 8)
        else:
            fed = descriptor_script(strings[at], files)  # `sh /dev/fd/3 stop 3<F`
            at += fed is not None
    script = fed if fed is not None else strings[at]
    rest = strings[at:] if fed is not None else strings[at + 1:]
    script = own_spelling(tilde_root(script), fed_files(site))  # `/proc/self/cwd/...` (b37f, 13)
    if at > 0 and GLOB.search(script) and (ran_all := pattern_programs(script, rest, dirs)):
        return ran_all  # `sh /usr/sbi?/service ufw stop` (attack a36f, finding 2's siblings)
    ran = program_script(script, rest, dirs) if at > 0 else None
    if ran is not None and not (
            _plain(script, dirs, True) or _HELPER.fullmatch(script.rsplit("/", 1)[-1])):
        return [ran]  # `sh /usr/sbin/service ufw stop` (z35f, findings 13, 19)
    # through a folder not known (`/proc/1/cwd/service`, `/dev/fd/3/service` with no `3<` on
    # the line: attack c38f, findings 6 and 14): the program of its name too, as python's is
    by_name = [ran] if ran is not None and through_proc(script)[0] == "unknown" else []
    if not rest:
        return by_name
    scripts = [script]
    if at > 0 and not script.startswith("/") and any(GLOB.search(d) for d in dirs):
        scripts = [*pattern_paths(script, dirs), script]  # `cd /etc/init.?; . ./ufw` (c38f, 10)
    elif at > 0 and (any(w.glob for w in words) or fed is not None) and GLOB.search(script):
        # (a pattern in the redirection feeding it: `sh -s stop < /etc/init.d/uf?`, a36f, 4)
        scripts = pattern_paths(script, dirs)  # `sh /etc/init.?/ufw stop` (z35f, finding 8)
    found: list[tuple[str, ...]] = by_name
    for one in scripts:
        if GLOB.search(one) and at > 0:
            found.append((one, rest[0]))  # a pattern command word: unknown
            continue
        found.extend(_script_commands(one, rest, dirs, at > 0, strings))
    return list(dict.fromkeys(found))


def _script_commands(script: str, rest: list[str], dirs: list[str], operand: bool,
                     strings: list[str]) -> list[tuple[str, ...]]:
    plain = _plain(script, dirs, operand)
    if plain is None and operand and _HELPER.fullmatch(script.rsplit("/", 1)[-1]):
        plain = through_proc(script)[1]  # `sh /lib/ufw/ufw-init flush-all`: run as itself
    if plain is None:
        return []
    said = (plain, rest[0])
    # sysvinit's own rc script runs every K and S link of a runlevel: `telinit N` without init
    ran = [("telinit", rest[0])] if plain == "/etc/init.d/rc" else []
    return ran if list(said) == strings else [said, *ran]


def _plain(script: str, dirs: list[str], operand: bool) -> str | None:
    """`/etc/init.d/NAME` for a path that reaches an init script or its runlevel link (a
    command word without a slash is looked up in PATH; a shell's operand is a file)."""
    # `/proc/self/root/etc/init.d/X`, `/proc/1/root/...`, `/proc/self/cwd/../etc/init.d/X`: the
    # magic links of /proc resolved (attack x33f, finding 3)
    kind, resolved = through_proc(script)
    if kind == "unknown":
        # through a folder known only at run time (`/proc/1/cwd/ufw`: another process's
        # working folder): read as the init script of its name, wherever it is
        name = resolved.rstrip("/").rsplit("/", 1)[-1]
        return f"/etc/init.d/{name}" if name not in ("", ".", "..") else None
    script = resolved
    candidates = [script] if script.startswith("/") else (
        [f"{d.rstrip('/')}/{script}" for d in dirs if d.startswith("/")]
        if "/" in script or operand else [])
    for path in candidates:
        path = normalise_path(path)
        match = _SCRIPT.fullmatch(path) or _LINK.fullmatch(path)
        if match is not None:
            return f"/etc/init.d/{match.group('name') or match.group('rc')}"
    if not script.startswith("/") and (operand or "/" in script) and not any(
            d.startswith("/") for d in dirs):
        # a relative path from a folder not known (an exec command's home): `../../etc/init.d/X`
        match = _SCRIPT.search("/" + script) or _LINK.search("/" + script)
        if match is not None and ".." in script.split("/"):
            return f"/etc/init.d/{match.group('name') or match.group('rc')}"
    return None


# (finding 23) wrappers whose own words make the command behind them a console's: judged as a
# command of their own (a wrapper's words are otherwise not seen by the rules).
_TERMINAL_PROPERTY = re.compile(r"(?i)(^|=)(StandardInput|TTYPath)=")


def console_commands(name: str, words: list[_Word]) -> list[tuple[str, ...]]:
    """`openvt ... COMMAND`, `systemd-run -p StandardInput=tty ...` as their whole lines."""
    values = [w.text if w.value is None else w.value for w in words[1:]]
    if name == "openvt" or (name in ("systemd-run", "run0") and any(
            _TERMINAL_PROPERTY.search(v) for v in values)):
        return [(name, *values)]
    return []
