"""More spellings of a script run by a shell or an interpreter (outside attack z35f, findings 8,
13, 14 and 19), read for init_scripts.py:

- a pattern in the script's path, which bash expands before the shell runs (`sh /etc/init.?/ufw
  stop`, `sh /proc/*/root/etc/init.d/ufw stop`, `sh /etc/rc?.d/K01ufw stop`): read as each
  script folder it may match (`may_match` on each component), the name read as each service
  name it may match, and as itself (a pattern command word: unknown);
- the script fed on the shell's stdin or a descriptor it names, the action its `$1`
  (`sh -s stop < /etc/init.d/ufw`, `sh /dev/fd/3 stop 3</etc/init.d/ufw`, `sh /dev/stdin ...`);
- the script sourced by `sh -c '. FILE' ARG0 ACTION`, where `.` without arguments keeps the
  outer `$1`;
- a program's own script given to a shell or an interpreter, from a folder of programs or
  found in PATH (`sh /usr/sbin/service ufw stop`, `python3 /usr/sbin/ufw disable`,
  `sh /var/ossec/bin/wazuh-control stop`, `ruby -S irb`, `perl /usr/bin/cpan`): that program
  run with the words after it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bastion.command_control.policy.paths import PathArg, _descriptor_file, normalise_path, through_proc
from bastion.command_control.policy.proc_spellings import descriptor_numbers, proc_readings
from bastion.command_control.policy.verb_patterns import may_match
from bastion.command_control.policy.words import _Site

GLOB = re.compile(r"[*?\[]")
# The folders a script of the init system or of a firewall front-end is found in.
_SCRIPT_DIRS = ("/etc/init.d", "/etc/rc.d/init.d", "/etc/rc.d", "/lib/ufw", "/usr/lib/ufw",
                "/usr/share/netfilter-persistent/plugins.d", "/var/ossec/bin",
                *(f"/etc/rc{level}.d" for level in "0123456Ss"),
                *(f"/etc/rc.d/rc{level}.d" for level in "0123456"))
# Folders of programs: a script there given to an interpreter is that program.
PROGRAM_DIRS = frozenset({"/bin", "/sbin", "/usr/bin", "/usr/sbin", "/usr/local/bin",
                          "/usr/local/sbin", "/var/ossec/bin", "/usr/games", "/snap/bin"})
_PROC_ROOTS = ("", "/proc/self/root", "/proc/1/root", "/proc/thread-self/root")
# the services the rules name by their init script, for a pattern in the script's name
_NAMES = ("auditd", "rsyslog", "syslog", "syslog-ng", "firewalld", "ufw", "nftables", "iptables",
          "ip6tables", "apparmor", "fail2ban", "netfilter-persistent", "ufw-init", "shorewall",
          "apf", "wazuh-control", "ossec-control", "rc", "ssh", "sshd", "inetd", "xinetd",
          "openbsd-inetd", "shellinabox", "telnetd", "cron", "15-ip4tables", "25-ip6tables")


def pattern_paths(script: str, dirs: list[str]) -> list[str]:
    """The script paths a pattern `script` may expand to, in the folders scripts are run from
    (and `script` itself, kept a pattern: a name the list does not hold)."""
    bases = [script] if script.startswith("/") else [
        f"{d.rstrip('/')}/{script}" for d in dirs if d.startswith("/")] or [f"/{script}"]
    found: list[str] = []
    for base in bases:
        parts = [p for p in base.split("/") if p not in ("", ".")]
        if not parts:
            continue
        *folder, last = parts
        for root in _PROC_ROOTS:
            for place in _SCRIPT_DIRS:
                want = [p for p in f"{root}{place}".split("/") if p]
                if len(want) != len(folder) or not all(
                        may_match(p, w) if GLOB.search(p) else p == w
                        for p, w in zip(folder, want, strict=True)):
                    continue
                if not GLOB.search(last):
                    found.append(f"{place}/{last}")
                    continue
                for name in _NAMES:
                    for spelled in (name, f"K01{name}", f"S01{name}"):
                        if may_match(last, spelled):
                            found.append(f"{place}/{spelled}")
                found.append(f"{place}/{last}")
    return list(dict.fromkeys(found))


def fed_files(site: _Site | None) -> dict[int, str]:
    """The files the command's descriptors read, by name (`< F`, `3< F`)."""
    if site is None:
        return {}
    files = {fd: here for fd, origin, here in site.fds if origin == "file" and here}
    if site.stdin == "file" and site.here:
        files[0] = site.here
    return files


_FOLDER_FD = re.compile(r"/+(?:dev/+fd/+(?P<n>[0-9]+)|proc/+(?:self|thread-self)/+fd/+(?P<m>[0-9]+)"
                        r"|dev/+(?P<std>stdin))/+(?P<rest>.*[^/].*)")


def own_spelling(script: str, files: dict[int, str]) -> str:
    """A script path through the shell's own working folder or a descriptor opened on a folder
    (outside attack b37f, finding 13), as the plain path it is: `/proc/self/cwd/usr/sbin/ufw`
    is the relative `usr/sbin/ufw` (read in the line's folder, or climbing from an unknown one),
    `/dev/fd/3/service` after `3</usr/sbin` is /usr/sbin/service; any other path as it is."""
    readings = proc_readings(script)  # `/proc/sel?/cwd/...` (attack c38f, finding 6)
    if any(through_proc(text)[0] == "unknown" for text in readings):
        readings = sorted(readings, key=lambda text: through_proc(text)[0] != "unknown")
    for text in [script, *readings]:
        found = _FOLDER_FD.fullmatch(text)
        if found is not None:
            fd = 0 if found.group("std") else int(found.group("n") or found.group("m"))
            folder = files.get(fd)
            if folder:
                return f"{folder.rstrip('/')}/{found.group('rest')}"
        if text.startswith("/") and ("/proc/" in text or "/dev/" in text):
            # `/proc/self/./cwd/x`, `/proc/self/fd/../cwd/x`, `/dev/fd/../cwd/x` (c38f, 6)
            kind, path = through_proc(text)
            if kind == "exact" and (not path.startswith("/") or text is not script):
                return path
            if kind == "unknown" and text is not script:
                return text  # another process's (`/proc/*/cwd/x`): read by the script's name
    return script


def descriptor_script(script: str, files: dict[int, str]) -> str | None:
    """The file a script operand naming a descriptor reads (`/dev/fd/3` after `3<F`)."""
    fd = _descriptor_file(script)
    if not isinstance(fd, int):  # a pattern (`/dev/stdi?`, `/dev/fd/[0]`: attack c38f, 9)
        return next((files[n] for n in descriptor_numbers(script) if n in files), None)
    return files.get(fd)


# `. FILE`, also handing the outer arguments on (`"$@"`, `$1`, `"$*"`: the same `$1`)
_SOURCED = re.compile(r'\s*(?:\.|source)\s+(?P<file>[^\s;&|<>()$`"\']+)'
                      r'(?:\s+(?:"\$[@*1]"|\$[@*1]|"\$\{[@*1]\}"|\$\{[@*1]\}))?\s*;?\s*')


def sourced_script(code: str) -> str | None:
    """The file `sh -c '. FILE'` sources with no arguments of its own (it keeps `$1...`), or
    handing the outer ones on."""
    match = _SOURCED.fullmatch(code)
    return match.group("file") if match else None


def tilde_root(script: str) -> str:
    """`~root/...` as /root/...: the one home directory known."""
    if script == "~root" or script.startswith("~root/"):
        return "/root" + script[5:]
    return script


def folder_texts(dirs: list[str]) -> list[str]:
    """The folders a line's `cd`s chose, and each that starts at a home as the path it is
    (`cd ~root/../etc/init.d` is /etc/init.d: attack c38f, finding 10)."""
    found = list(dirs)
    for folder in dirs:
        if folder.startswith("~"):
            user, slash, rest = folder[1:].partition("/")
            if user and user[0] not in "+-0123456789" and not GLOB.search(user):
                home = "/root" if user == "root" else f"/home/{user}"
                found.append(normalise_path(home + slash + rest))
            elif not user:  # the login's home, not known: a climb out of it (`~/../../etc`)
                found += [path for home in ("/root", "/home/~") if not (
                    path := normalise_path(home + slash + rest)).startswith(home)]
        elif folder.startswith("/") and ("/." in folder or "//" in folder):
            found.append(normalise_path(folder))
    return list(dict.fromkeys(found))


def interpreted_program(name: str, strings: list[str], dirs: list[str]) -> tuple[str, ...] | None:
    """`python3 /usr/sbin/ufw disable`, `ruby -S irb`: the program run with its words (the first
    reading of interpreted_scripts.py's, which reads every one: attack a36f); None for a script
    that is no program's (or code on the line)."""
    from bastion.command_control.policy.interpreted_scripts import interpreted_programs

    found = interpreted_programs(name, strings, set(), dirs, {})
    return found[0] if found else None


def program_script(script: str, rest: list[str], dirs: list[str]) -> tuple[str, ...] | None:
    """A script in a folder of programs run as that program (`/usr/sbin/service ufw stop`,
    also relative after a `cd` there: `dirs`, the folders the line may be in)."""
    script = tilde_root(script)
    paths = [script] if script.startswith("/") else [
        f"{d.rstrip('/')}/{script}" for d in dirs if d.startswith("/")]
    for path in paths:
        kind, path = through_proc(path)  # `/proc/self/root/usr/sbin/ufw` (attack a36f, 2)
        folder, _, base = path.rpartition("/")
        if kind == "unknown" and base not in ("", ".", ".."):
            return (base, *rest)  # another process's folder (`/proc/1/cwd/ufw`): by its name
        if folder in PROGRAM_DIRS and base:
            return (path, *rest)
        if base and GLOB.search(folder) and not GLOB.search(base):  # `cd /usr/s?in` (b37f, 13)
            parts = [p for p in folder.split("/") if p]
            for place in sorted(PROGRAM_DIRS):
                want = [p for p in place.split("/") if p]
                if len(want) == len(parts) and all(may_match(p, w) if GLOB.search(p) else p == w
                                                   for p, w in zip(parts, want, strict=True)):
                    return (f"{place}/{base}", *rest)
    if not script.startswith("/"):
        for d in dirs:  # a folder known only at run time (attack c38f, finding 19)
            if d.startswith("/"):
                continue
            if d == RUN_TIME_DIR:  # `cd "$(echo /usr/sbin)"`, `cd /usr/$X`, `cd -`: by its name
                base = script.rstrip("/").rpartition("/")[2]
                if base in ("", ".", "..") or _SCRIPT_FILE.search(base):
                    return None  # `manage.py`, `deploy.sh`: no program's own file
                return (base, *rest)
            if (ran := _climbing(f"{d.rstrip('/')}/{script}", rest)) is not None:
                return ran  # `cd; cd ../../usr/sbin`: a climb from a home not known
        if not any(d.startswith("/") for d in dirs):
            return _climbing(script, rest)
    return None


# How a folder the line's `cd` makes only when it runs is handed to the script readers here (a
# `$`, a substitution, `cd -`): never its text, which may start with `/` (`cd /usr/$X`) and be
# read as a literal folder.
RUN_TIME_DIR = "(a directory known only at run time)"


def dir_texts(dirs: Iterable[PathArg]) -> list[str]:
    """The folders a line may be in, as the script readers take them: each folder of a kind
    known only at run time as RUN_TIME_DIR."""
    return [RUN_TIME_DIR if d.kind == "unknown" else d.text for d in dirs]


_SCRIPT_FILE = re.compile(r"\.(?:py|sh|bash|pl|rb|js|php|lua|tcl|r)$", re.IGNORECASE)


def _climbing(script: str, rest: list[str]) -> tuple[str, ...] | None:
    """A relative path (or one from a home not known, `~/..`) that climbs out of a folder not
    known (an exec command's home) into a folder of programs: `../../usr/sbin/ufw` is
    /usr/sbin/ufw from a folder two deep (attack a36f, finding 2's siblings)."""
    parts = [p for p in script.split("/") if p not in ("", ".")]
    if parts and parts[0].startswith("~"):
        parts = parts[1:]
    climbed = 0
    while climbed < len(parts) and parts[climbed] == "..":
        climbed += 1
    *folder, base = parts[climbed:] or [""]
    if not climbed or not folder or ".." in folder or not base:
        return None
    tail = "/" + "/".join(folder)
    found = sorted(d for d in PROGRAM_DIRS if d == tail or d.endswith(tail))
    return (f"{found[0]}/{base}", *rest) if found else None
