"""Scripts run with the arguments the line gives them, where the script's file is read from
elsewhere on the line (outside attack a36f, findings 3, 4, 18, 19, 24 and 25). Methods of
`_Collector` (collect.py), called for each command after `init_script_commands`:

- a `. FILE` in a shell's code (a `-c` string, or the here-string or here-document it reads as
  its script) whose positional parameters are the shell's operands (`sh -c '. "$0"'
  /etc/init.d/ufw stop`, `sh -s stop <<< '. /etc/init.d/ufw'`, dash's `. F status` keeping
  the outer `stop`): judged as `. FILE OPERANDS...`; a file known only at run time sourced with
  operands is unknown;
- a program's own script (an init script, a program's script in a folder of programs)
  sourced at all (`set -- stop; . F`, `f() { . F; }; f stop`: its `$1` is the shell's, which
  an earlier line may have set; dash ignores words after the file), or as a shell's startup
  file (BASH_ENV, ENV, `--rcfile`, `--init-file`), or opened by `exec N<F` (the descriptor
  stays open for later lines): unknown; a bare name sourced or given to a shell is looked up
  in PATH: that program run with the words after it (`. service ufw stop`);
- `find ... -exec sh {} stop \\;`: the script find names (`{}`) run with the line's words
  (or with `{} +`, the other files found): unknown;
- a descriptor an `exec 3<F` earlier on the line opened, read as the script (`exec 3<F; sh
  /dev/fd/3 stop`): the command judged with that file on it.
"""

from __future__ import annotations

import posixpath
import re

from bastion.command_control.policy.init_scripts import init_script_commands
from bastion.command_control.policy.outer_args import (
    UNKNOWN,
    outer_file,
    shell_operands,
    sourced_files,
)
from bastion.command_control.policy.proc_spellings import descriptor_numbers
from bastion.command_control.policy.script_spellings import GLOB, dir_texts, interpreted_program
from bastion.command_control.policy.shells import INTERPRETERS, shell_name
from bastion.command_control.policy.words import _Site, _Word

_SOURCES = frozenset({".", "source"})
# `{}` where a script stands: a place the rules read (an init script, a program's script)
_SCRIPT_FILE = re.compile(r"\.(?:sh|bash|zsh|ksh|dash|py|pl|rb|js|php|lua|tcl|env|rc)$")
_BATCH = re.compile(r"\{\}[\s'\"]*\\?\+")
# a descriptor's file (any process's number: `/proc/$$/fd/3` is the shell's own)
_DESCRIPTOR = re.compile(r"/dev/stdin|/dev/fd/([0-9]+)|/proc/[^/]+/fd/([0-9]+)")
# a file through a descriptor opened on a folder (`/dev/fd/3/x`, `/proc/self/fd/3/x`)
_THROUGH_FD = re.compile(r"/+(?:dev/+stdin|dev/+fd/+([0-9]+)|proc/+[^/]+/+(?:task/+[^/]+/+)?fd/+"
                         r"([0-9]+))/+[^/].*")
_FD_NAMED = re.compile(r"\{[A-Za-z_][A-Za-z0-9_]*\}")  # `exec {x}<F`
# names a folder of programs or of init scripts holds (`exec 3</usr/sbin`: attack c38f, 14)
_PROBES = ("service", "ufw", "systemctl", "wazuh-control")
_FIND_PROBES = ("/etc/init.d/find-names-this", "/usr/sbin/find-names-this")


class _Outer:
    """Part of `_Collector` (collect.py): scripts fed the line's arguments from elsewhere."""

    # the files `exec N<F` opened on the line (replaced, never changed in place)
    _exec_files: dict[int, str] = {}
    # the positional parameters `set` gave on the line (None: a word known only at run time)
    _positional: tuple[str | None, ...] = ()

    def _own_script(self, path: str) -> bool:
        """Whether sourcing `path` with arguments runs an init script or a program's own
        script (a pattern: whether it may)."""
        dirs = dir_texts(self._dirs)  # type: ignore[attr-defined]
        probe = [_Word(".", "."), _Word(path, path, bool(GLOB.search(path))), _Word("x", "x")]
        return bool(init_script_commands(".", probe, dirs))

    def _outer_scripts(self, name: str, words: list[_Word], site: _Site) -> None:
        values = [w.value for w in words]
        if name in ("set", "shift"):
            self._positional = _positional(name, values[1:], self._positional)
            return
        named = len(words) > 1 and all(_FD_NAMED.fullmatch(w.text) for w in words[1:])
        if name == "exec" and (len(words) == 1 or named):
            # `exec 3< F`: the file a later `sh /dev/fd/3` reads (as the descriptor may keep
            # what it held before, if the open fails, that reading is kept too); `exec {x}<F`
            # opens F on a descriptor whose number is known at run time (attack c38f, 9)
            opened = _files(site)
            if not named:
                self._exec_files = {**self._exec_files, **opened}
            for fd, file in opened.items():
                if self._own_script(file) or any(  # a folder of programs (attack c38f, 14)
                        self._own_script(f"{file.rstrip('/')}/{probe}") for probe in _PROBES):
                    # the descriptor stays open for the lines typed after this one too
                    self._unknown(site, words, f"exec opens {file} on descriptor {fd}, which "  # type: ignore[attr-defined]
                                               "a later shell may read as its script")
            return
        if name in _SOURCES:
            self._sourced(words, site)
        elif shell_name(name) is not None:
            self._startup_files(name, words, site)
        shell = name in _SOURCES or shell_name(name) is not None
        if not shell and not INTERPRETERS.fullmatch(name):
            return
        self._through_descriptor(name, words, site)
        if "find" in site.wrappers and any("{}" in (w.value or w.text) for w in words):
            self._find_script(name, words, site)
        elif not shell and None in values:
            self._runtime_script(name, words, site)
        # (find's `{}` as itself: `-exec sh -c '. "$0"' {} stop \\;` sources the file it names;
        # an operand known only at run time stands in as UNKNOWN)
        strings = [w.text if v is None and "find" in site.wrappers and "{}" in w.text else
                   UNKNOWN if v is None else v for v, w in zip(values, words, strict=True)]
        if shell and name not in _SOURCES:
            self._shell_outer(name, words, strings, site)
        self._path_script(name, strings, site)
        if None in values:
            return
        if self._exec_files and (shell or name in _SOURCES):
            # `exec 3< /etc/init.d/ufw; sh /dev/fd/3 stop` (finding 24)
            here = dict(self._exec_files)
            here.update(_files(site))
            stdin = here.pop(0, None)
            opened = site._replace(fds=tuple((fd, "file", f) for fd, f in here.items()),
                                   **({"stdin": "file", "here": stdin} if stdin else {}))
            self._judge_runs(name, words, opened)

    def _through_descriptor(self, name: str, words: list[_Word], site: _Site) -> None:
        """`sh /dev/fd/3/service ufw stop` with no `3<` on the line: a descriptor an earlier
        typed line may have opened on a folder of programs (`exec 3</usr/sbin`): unknown
        (attack c38f, finding 14)."""
        opened = {**self._exec_files, **_files(site)}
        for word in words[1:]:
            found = _THROUGH_FD.fullmatch(word.text if word.value is None else word.value)
            if found is not None and int(found.group(1) or found.group(2) or 0) not in opened:
                self._unknown(site, words, f"{name} reads {word.value} through a descriptor "  # type: ignore[attr-defined]
                                           "the line does not open")
                return

    def _judge_runs(self, name: str, words: list[_Word], site: _Site) -> None:
        dirs = dir_texts(self._dirs)  # type: ignore[attr-defined]
        for argv in init_script_commands(name, words, dirs, site):
            self._inner([_Word(v, v, bool(GLOB.search(v))) for v in argv],  # type: ignore[attr-defined]
                        site, name)

    def _sourced(self, words: list[_Word], site: _Site) -> None:
        """`. FILE` where the positional parameters may be set: in a function, after `set --`
        (finding 18); a file known only at run time sourced with arguments."""
        if len(words) < 2:
            return
        file, args = words[1], words[2:]
        opened = self._descriptor_file(file.value or file.text, site)
        if opened is not None:  # `. /dev/fd/3 3<F`, `{ . /proc/$$/fd/3; } 3<F` (b37f, 4)
            file = _Word(opened, opened, bool(GLOB.search(opened)))
        if file.value is None or ("find" in site.wrappers and "{}" in file.value):
            if args:
                self._unknown(site, words, "a file known only at run time sourced with "  # type: ignore[attr-defined]
                                           "arguments")
            return
        # Without words of its own the script's `$1` is the shell's: set by `set --`, a
        # function's call, an outer shell's operands, or an earlier line typed in the same
        # shell; dash's `.` ignores the words after the file and keeps them too (the words
        # themselves are judged as `/etc/init.d/X ACTION`, init_scripts.py).
        if self._own_script(file.value):
            self._unknown(site, words, f"{file.value} sourced with the shell's positional "  # type: ignore[attr-defined]
                                       "parameters as its action")

    def _descriptor_file(self, path: str, site: _Site) -> str | None:
        """The file `path` reads when it names a descriptor (/dev/stdin, /dev/fd/N,
        /proc/self/fd/N) a redirection on the command, a group around it or `exec` opened."""
        opened = {**self._exec_files, **_files(site)}
        found = _DESCRIPTOR.fullmatch(posixpath.normpath(path)) if path.startswith("/") else None
        if found is None:  # a pattern (`. /dev/stdi? < F`: attack c38f, finding 9)
            return next((opened[n] for n in descriptor_numbers(path) if n in opened), None)
        fd = int(found.group(1) or found.group(2) or 0)
        return opened.get(fd)

    def _startup_files(self, name: str, words: list[_Word], site: _Site) -> None:
        """A starting shell's BASH_ENV or ENV, read where it starts: a relative name in the
        folder a wrapper moved to (`env -C /etc/init.d BASH_ENV=ufw bash -c : x stop`, `sudo -D`:
        attack b37f, finding 5), a descriptor in the file the shell's redirection opened
        (`BASH_ENV=/dev/fd/3 bash -c : x stop 3<F`: finding 4)."""
        for variable in ("BASH_ENV", "ENV"):
            value = self._values.get(variable)  # type: ignore[attr-defined]
            if not value:
                continue
            path = self._descriptor_file(value, site) or value
            if self._own_script(path):
                self._unknown(site, words, f"{name} sources {variable}={path} at start with "  # type: ignore[attr-defined]
                                           "its operands as its arguments")

    def _shell_outer(self, name: str, words: list[_Word], strings: list[str], site: _Site) -> None:
        letters, startup, at = shell_operands(strings)
        if UNKNOWN in strings[:at]:
            return  # options known only at run time: judged by the shell's handler
        for file in startup:
            file = self._descriptor_file(file, site) or file  # `--rcfile /dev/fd/3 3<F`
            if self._own_script(file):  # `bash --rcfile /etc/init.d/ufw -i -c : x stop`
                self._unknown(site, words, f"{name} reads {file} at start with its operands "  # type: ignore[attr-defined]
                                           "as its arguments")
        code: str | None = None
        arg0: str | None = name
        if "c" in letters:
            if at >= len(strings):
                return
            code, arg0, args = strings[at], _at(strings, at + 1), strings[at + 2:]
        elif at >= len(strings) or "s" in letters:
            code, args = (site.here if site.stdin == "here" else None), strings[at:]
        else:
            script, args = strings[at], strings[at + 1:]
            if script in ("/dev/stdin", "/dev/fd/0", "/proc/self/fd/0") and site.stdin == "here":
                code = site.here  # `sh /dev/stdin stop <<< '. F'`
        if code is None or code == UNKNOWN or not args:
            return
        read = sourced_files(code)
        if read is None:
            self._unknown(site, words, f"{name}'s code may source a file with the operands "  # type: ignore[attr-defined]
                                       "as its arguments")
            return
        files, folders = read
        for word in files:
            file = outer_file(word, arg0, list(args))
            if file is None or ("find" in site.wrappers and "{}" in file):
                self._unknown(site, words, f"{name} sources a file known only at run time "  # type: ignore[attr-defined]
                                           "with its operands as arguments")
                continue
            # a relative file after a `cd` in the code: in each folder it names too
            places = [file, *(f"{d.rstrip('/')}/{file}" for d in folders
                              if not file.startswith("/") and d.startswith("/"))]
            for place in places:
                if UNKNOWN in args:
                    if self._own_script(place):
                        self._unknown(site, words, f"{name} sources {place} with operands "  # type: ignore[attr-defined]
                                                   "known only at run time as its arguments")
                    continue
                # dash's `.` keeps the outer `$1` whatever words follow the file
                self._inner([_Word(".", "."), _Word(place, place, bool(GLOB.search(place))),  # type: ignore[attr-defined]
                             *(_Word(a, a) for a in args)], site, name)

    def _path_script(self, name: str, strings: list[str], site: _Site) -> None:
        """`. service ufw stop`, `bash service ufw stop`: a name without a slash is looked up
        in PATH (by `.`, and by bash when the folder has no such file): the program of that
        name run with the words after it."""
        if name in _SOURCES:
            at = 2 if len(strings) > 1 and strings[1] == "--" else 1
        elif shell_name(name) is not None:
            letters, _, at = shell_operands(strings)
            if "c" in letters or "s" in letters or UNKNOWN in strings[:at]:
                return
        else:
            return
        if at >= len(strings):
            return
        rest = strings[at + 1:]
        if name in _SOURCES and not rest and self._positional:
            # `set -- ufw stop; . service`: the sourced file's `$1...` are the shell's
            rest = [UNKNOWN if v is None else v for v in self._positional]
        if not rest or UNKNOWN in rest or UNKNOWN == strings[at]:
            return
        script = strings[at]
        if "/" in script or not script or GLOB.search(script) or script.startswith("-") \
                or _SCRIPT_FILE.search(script):
            return  # (`bash script.sh start`: a script of one's own, not the program `script`)
        self._inner([_Word(v, v) for v in (script, *rest)], site, name)  # type: ignore[attr-defined]

    def _runtime_script(self, name: str, words: list[_Word], site: _Site) -> None:
        """`python3 "$X" disable`: an interpreter's script known only at run time (it may be a
        program's own, `/usr/sbin/ufw`) run with the line's words: unknown, as `sh "$X" stop`
        is."""
        ran = _probed(name, words, dir_texts(self._dirs))  # type: ignore[attr-defined]
        if ran is not None and ran[0] == _FIND_PROBES[1] and len(ran) > 1:
            self._unknown(site, words, f"{name} runs a script known only at run time with the "  # type: ignore[attr-defined]
                                       "line's words as its arguments")

    def _find_script(self, name: str, words: list[_Word], site: _Site) -> None:
        """`find ... -exec sh {} stop \\;`: `{}` is the script, a file find names (finding 19)."""
        dirs = dir_texts(self._dirs)  # type: ignore[attr-defined]
        found: list[tuple[str, ...]] = []
        for place in _FIND_PROBES:
            probe = [_Word(place, place) if "{}" in (w.value or w.text) else w for w in words]
            strings = [w.value or "" for w in probe]
            ran = interpreted_program(name, strings, dirs) if INTERPRETERS.fullmatch(name) else None
            found += init_script_commands(name, probe, dirs, site) if ran is None else [ran]
        # with no words after it, only `{} +` gives the script arguments: the other files found
        # (`find /usr/sbin/ufw disable -exec python3 {} +`)
        batch = bool(_BATCH.search(site.text))
        if any(argv[0].endswith("/find-names-this") and (len(argv) > 1 or batch)
               for argv in found):
            self._unknown(site, words, f"{name} runs a script find names ({{}}) with the "  # type: ignore[attr-defined]
                                       "line's words as its arguments")


def _probed(name: str, words: list[_Word], dirs: list[str]) -> tuple[str, ...] | None:
    """The program an interpreter runs with every word known only at run time taken for a
    program's own script (None: the script is on the line, or code)."""
    place = _FIND_PROBES[1]
    return interpreted_program(name, [place if w.value is None else w.value for w in words], dirs)


def _positional(name: str, words: list[str | None],
                had: tuple[str | None, ...]) -> tuple[str | None, ...]:
    """The positional parameters after `set WORDS` or `shift N`."""
    if name == "shift":
        count = words[0] if words else "1"
        if count is None or not count.isdigit():
            return (None,) if had else ()
        return had[int(count):]
    if "--" in words:
        return tuple(words[words.index("--") + 1:])
    if words and words[0] is not None and words[0][:1] not in ("-", "+"):
        return tuple(words)
    return had


def _at(strings: list[str], index: int) -> str | None:
    return strings[index] if index < len(strings) else None


def _files(site: _Site) -> dict[int, str]:
    files = {fd: here for fd, origin, here in site.fds if origin == "file" and here}
    if site.stdin == "file" and site.here:
        files[0] = site.here
    return files
