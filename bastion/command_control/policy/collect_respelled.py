"""The collector's handlers for what outside attack U found read with the wrong grammar (its
items 1 to 3): launchers spelled otherwise (launcher_spellings.py), renamers whose new names an
editor or a prompt gives (renameutils, moreutils' vidir and kin), moreutils' parallel, python's
`-m` modules that write or serve files, and pip's options that name a folder it fills.

Methods of `_Collector` (collect.py)."""

from __future__ import annotations

import posixpath
import shlex
import urllib.parse

from bastion.command_control.policy.collect_launchers import _STRICT, _Strict
from bastion.command_control.policy.launcher_spellings import GLOBALS, RESPELLED
from bastion.command_control.policy.model import SimpleCommand
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.shells import INTERPRETERS
from bastion.command_control.policy.words import _at, _Site, _Word


def _word(value: str) -> _Word:
    return _Word(value, value)


def _skip_options(spec: _Strict, words: list[_Word], start: int) -> int | None:
    """The index of the first word after the options `spec` reads from `start` (None: an
    option it does not read, or a word known only at run time, comes first)."""
    index = start
    while index < len(words):
        value = words[index].value
        if value is None:
            return None
        if not value.startswith("-") or value in ("-", "--"):
            return index
        option, has_value, _ = value.partition("=")
        if option in spec.long or (len(option) == 2 and option[1] in spec.short):
            index += 1 if has_value else 2
        elif option in spec.long_flags or (not option.startswith("--") and
                                           set(option[1:]) <= set(spec.flags)):
            index += 1
        elif not option.startswith("--") and option[1:2] in spec.short:
            index += 1  # the argument attached (`-p/x`)
        else:
            return None
    return index


def _after_verbs(verbs: tuple[str, ...], words: list[_Word], index: int, spec: _Strict) -> int | None:
    """Where the words after `verbs` (`*`: any word) start, from `index`; options may come
    between them (`uv tool -q run`). None: not these verbs; -1: an option `spec` does not read
    between them, where the next verb word follows."""
    at: int | None = index
    for position, verb in enumerate(verbs):
        if position:
            at = _skip_options(spec, words, at)
            if at is None:
                return -1 if any(w.value == verb for w in words[index:]) else None
        word = _at(words, at)
        if word is None or word.value is None or (verb != "*" and word.value != verb):
            return None
        at += 1
    return at


# renameutils (qmv, qcp: an editor; imv, icp: a prompt; deurlname: decoded %XX), moreutils'
# vidir (an editor), and the bulk renamers rnm, f2 and zsh's zmv/zcp/zln.
_EDITED = frozenset({"qmv", "qcp", "vidir"})
_PROMPTED = frozenset({"imv", "icp"})
_RENAMEUTILS_VALUE = frozenset({"-e", "--editor", "-f", "--format", "-o", "--options", "-s",
                                "--sort", "--ls"})
_RENAMEUTILS_FLAGS = frozenset({"-a", "-A", "-R", "--recursive", "-d", "--dummy", "-v",
                                "--verbose", "--help", "--version", "--all", "--almost-all",
                                "-V"})
# Editors a person uses at the terminal: what they type there the policy does not read, as in
# `vi FILE`. Any other program given as the editor computes the new names itself.
_TERMINAL_EDITORS = frozenset({"vi", "vim", "nvim", "nano", "emacs", "mg", "joe", "micro",
                               "ne", "jed", "mcedit", "ed", "vim.basic", "vim.tiny", "nvi"})
# moreutils' parallel: `parallel [-j N] [-l N] [-n N] [-i] [-u] [CMD] -- ARGS`.
_MORE_PARALLEL_VALUE = frozenset("jln")
_MORE_PARALLEL_FLAGS = frozenset("iu")


class _Respelled:
    """Part of `_Collector` (collect.py): its handlers for attack U's items (module docstring)."""

    def _respelled(self, name: str, words: list[_Word], site: _Site) -> bool:
        """A launcher's other spellings (launcher_spellings.py), else its former reading."""
        entries = RESPELLED[name]
        globals_ = GLOBALS.get(name, entries[0][1])
        index = _skip_options(globals_, words, 1)
        verbs_named = {v for e in entries for v in e[0]} - {"*"}
        if index is None and (any(not e[0] for e in entries) or any(
                w.value is None or w.value in verbs_named for w in words[1:])):
            self._unknown(site, words, f"options of {name} that the policy does not read, before "
                                       "a subcommand that runs a command")
            return True
        for verbs, spec, what in entries if index is not None else ():
            after = _after_verbs(verbs, words, index, globals_)
            if after is None:
                continue
            if after < 0:
                self._unknown(site, words, f"options of {name} that the policy does not read, "
                                           "between the words of a subcommand that runs a command")
                return True
            rest = words[after:]
            before = [] if name in GLOBALS else words[1:index]
            if what == "unknown":
                self._unknown(site, words, f"{name} {' '.join(verbs)} runs a program the policy "
                                           "cannot name")
                return True
            if what == "plain":
                return False
            if what.startswith("as "):
                # `uv pip install --target DIR`, `uv venv DIR`: judged as pip, virtualenv
                self._plain(name, words[:after], site)
                return self._inner([_word(what[3:]), *rest], site, name)
            if what == "shell":
                self._plain(name, words, site)
                return self._user_shell(name, words, site)
            return self._strict(name, [words[0], *before, *rest], site, spec)
        if index is not None and index < len(words) and words[index].value is None and index > 1:
            self._unknown(site, words, f"what {name} is asked to do is known only at run time")
            return True
        if name in _STRICT:
            return self._strict(name, words, site)
        if INTERPRETERS.fullmatch(name):
            return self._interpreter(name, words, site)
        return False

    def _edited_names(self, name: str, words: list[_Word], site: _Site) -> bool:
        """Renamers whose new names an editor, a prompt or a decoding gives: each file may
        get any name beside it (DIR/*, and inside a folder given: FOLDER/*, FOLDER/** with
        -R); an editor given on the line (`-e`, `--editor`) is code, and one that is not a
        terminal editor computes the names itself: known only at run time."""
        self._plain(name, words, site)
        options: list[tuple[str, _Word | None]] = []
        operands: list[_Word] = []
        index = 1
        while index < len(words):
            word = words[index]
            value = word.value
            if value is None:
                self._unknown(site, words, f"options of {name} known only at run time")
                return True
            if value == "--":
                operands += words[index + 1:]
                break
            if not value.startswith("-") or value == "-":
                operands.append(word)
                index += 1
                continue
            option, has_value, attached = value.partition("=")
            if name == "vidir" and option in ("-v", "--verbose"):
                pass
            elif name in ("rnm", "f2", "zmv", "zcp", "zln"):
                options.append((option, None))
            elif option in _RENAMEUTILS_VALUE:
                argument = _word(attached) if has_value else _at(words, index + 1)
                options.append((option, argument))
                index += 0 if has_value else 1
            elif len(option) > 2 and not option.startswith("--") and option[:2] in _RENAMEUTILS_VALUE:
                options.append((option[:2], _word(option[2:])))
            elif option not in _RENAMEUTILS_FLAGS:
                # qmv's `-i`/`-c` (its command mode, whose `export` writes any file) and what
                # the policy does not know.
                self._unknown(site, words, f"{name}'s option {value}, which the policy does not "
                                           "read")
                return True
            index += 1
        written = self._new_names(name, options, operands, site)
        for path in written:
            self.commands.append(SimpleCommand(">", (">", path.text), site.text, "",
                                               path.kind == "unknown", site.wrappers,
                                               self._in_dirs((path,))))
        return True

    def _new_names(self, name: str, options: list[tuple[str, _Word | None]],
                   operands: list[_Word], site: _Site) -> list[PathArg]:
        """Where `_edited_names`' renamer may put its files."""
        letters = {o for o, _ in options}
        if name == "f2" and not letters & {"-x", "--exec"}:
            return []  # f2 only shows the renames unless told to run them
        if name in ("zmv", "zcp", "zln") and "-n" in letters:
            return []
        if name in ("rnm", "f2", "zmv", "zcp", "zln"):
            return [PathArg(f"(the new names {name} gives)", "unknown")]
        editors = [argument for option, argument in options if option in ("-e", "--editor")]
        for editor in editors:
            self._code(editor, site, name)
        # EDITOR or VISUAL set on the line (a prefix, `export`): the editor the renamer starts.
        named = [_word(v) if v is not None else None for k, v in (self._values or {}).items()
                 if k in ("EDITOR", "VISUAL")] if not editors else []
        computed = any(not _terminal_editor(e) for e in editors + named)
        if computed or any(o.value == "-" for o in operands):
            # An editor program computes the names; `vidir -` reads the files' names on stdin.
            return [PathArg(f"(the new names {name} gives)", "unknown")]
        deep = bool(letters & {"-R", "--recursive"})
        written: list[PathArg] = []
        for operand in operands or [_word(".")]:
            path = _path_arg(operand)
            if path.kind == "unknown":
                written.append(PathArg(f"(the new name {name} gives {path.text})", "unknown"))
                continue
            if name == "deurlname":
                written.append(_decoded(path))
                continue
            folder = posixpath.dirname(path.text.rstrip("/")) or "."
            written.append(PathArg(f"{folder}/*", "pattern", path.tilde))
            if name not in _PROMPTED:
                # A folder given: its files are listed for renaming.
                below = "**" if deep else "*"
                written.append(PathArg(f"{path.text.rstrip('/')}/{below}", "pattern", path.tilde))
        return written

    def _moreutils_parallel(self, name: str, words: list[_Word], site: _Site) -> bool:
        """parallel as GNU's, and, when a `--` ends its command, as moreutils' too: each
        argument after `--` appended to the command (put in place of `{}` with -i), run with
        no shell; with no command each argument is a command line."""
        judged = self._parallel(name, words, site)
        values = [w.value for w in words]
        if "--" not in values or any(w in (":::", "::::", ":::+") for w in values):
            return judged
        index = 1
        replace = False
        while index < len(words) and values[index] not in (None, "--") and \
                (values[index] or "").startswith("-"):
            letters = (values[index] or "")[1:]
            if letters[:1] in _MORE_PARALLEL_VALUE:
                index += 2 if len(letters) == 1 else 1
                continue
            if not set(letters) <= _MORE_PARALLEL_FLAGS:
                self._unknown(site, words, f"{name}'s option {values[index]} before `--`, read as "
                                           "moreutils' parallel: not known to the policy")
                return True
            replace = replace or "i" in letters
            index += 1
        end = values.index("--", index) if values[index:index + 1] != [None] else -1
        if end < 0 or any(v is None for v in values[index:]):
            self._unknown(site, words, "moreutils parallel's words known only at run time")
            return True
        command, arguments = words[index:end], words[end + 1:]
        for argument in arguments:
            if not command:
                self._code(argument, site, name)
            elif replace and any("{}" in (w.value or "") for w in command):
                filled = [_word((w.value or "").replace("{}", argument.value or "")) for w in command]
                self._inner(filled, site, name)
            else:
                self._inner([*command, argument], site, name)
        return True


def _terminal_editor(editor: _Word | None) -> bool:
    """Whether `editor` is a terminal editor of the system's own folders (`vim`,
    `/usr/bin/nano`), not a program of the same name elsewhere (`/tmp/ed`)."""
    words = (editor.value or "").split() if editor is not None else []
    if not words:
        return False
    folder, _, program = words[0].rpartition("/")
    return program in _TERMINAL_EDITORS and folder in ("", "/usr/bin", "/bin", "/usr/local/bin")


def _decoded(path: PathArg) -> PathArg:
    """deurlname's new name for `path`: its last part with %XX decoded, beside it; a decoded
    `/` (or a glob) leaves it known only at run time."""
    folder, _, base = path.text.rpartition("/")
    new = urllib.parse.unquote(base)
    if path.kind != "exact" or "/" in new or new in ("", ".", ".."):
        return PathArg(f"(the decoded name deurlname gives {shlex.quote(path.text)})", "unknown")
    return path._replace(text=f"{folder}/{new}" if "/" in path.text else new)



RESPELLED_HANDLERS = {
    **{name: _Respelled._respelled for name in RESPELLED},
    **{name: _Respelled._edited_names for name in (*_EDITED, *_PROMPTED, "deurlname", "rnm", "f2",
                                                   "zmv", "zcp", "zln")},
    "parallel": _Respelled._moreutils_parallel,
}

