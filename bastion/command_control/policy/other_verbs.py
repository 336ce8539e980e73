"""Programs a table reads for some of their verbs only (outside attack y34f, findings 1 and 4).

A program any table names is "read" (`unread.is_read`), and a read program's words are judged
by its table alone. Tables of launchers (launcher_spellings.RESPELLED, collect_launchers'
`_STRICT`), of the interpreters and of the unpackers name package, build and environment
managers for the one verb they read (`npm exec`, `dotenv run`, `nix run`, `uv tool run`,
`poetry shell`, `gem unpack`, `deno run`...): every other verb of theirs was judged by nothing
(`dotenv -f /etc/sudoers.d/ops set 'ops ALL' '(ALL) NOPASSWD: ALL'`, `nix build -o F`,
`npm explore x -- CMD`, `npm edit x --editor=CMD`, `gem open --editor=CMD`).

`other_verb(name, words)`: whether `name` is such a program and its verb is not one a table
reads whole; the collector then also judges its words as an unread program's (`unread.py`):
the files they name may be written, a command after `--` or a word of shell code is run.
`option_writes(name, words)`: the files and folders the output options of programs read for
their other options write (`pv -o`, `xgettext -p`, `tshark --export-objects`, `kotlinc -d`,
`pip lock -o`, `python3 -m pickletools -o`).
"""

from __future__ import annotations

from bastion.command_control.policy.collect_launchers import _STRICT
from bastion.command_control.policy.interpreted_scripts import perl_command
from bastion.command_control.policy.launcher_spellings import RESPELLED
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.shells import INTERPRETERS
from bastion.command_control.policy.words import _Word

# The verbs (word sequences) each program's launcher tables read whole.
_LAUNCHER_VERBS: dict[str, set[tuple[str, ...]]] = {}
for _name, _entries in RESPELLED.items():
    for _verbs, _spec, _what in _entries:
        if _verbs and _what != "plain":
            _LAUNCHER_VERBS.setdefault(_name, set()).add(_verbs)
for _name, _spec in _STRICT.items():
    for _verb in _spec.verbs:
        _LAUNCHER_VERBS.setdefault(_name, set()).add((_verb,))
# Programs known to a table for one verb or one use (an interpreter's script, an unpacker's
# verb), with the verbs read whole: deno and bun run scripts (the interpreter reading), gem
# unpacks (extracts), pip installs (collect_modules), cabal and stack run (RESPELLED).
_LAUNCHER_VERBS.update({
    "deno": {("run",), ("eval",), ("repl",)}, "bun": {("run",), ("x",)},
    "gem": set(), "pip": set(), "pip3": set(), "composer": set(), "kotlin": set(),
})
# Programs whose every verb is a launcher (`rvm VERSION do`), or no verb at all (pnpx,
# envchain): read whole by their tables.
_WHOLE = frozenset(name for name, entries in RESPELLED.items()
                   if any(not verbs or verbs[0] == "*" for verbs, _, _ in entries)) - {"dotenv"}


# Options that make a verb read whole run something else (`pnpm -c exec 'CODE'`: its shell
# mode, the words a shell command line), and nix's settings that let its language run programs
# (`--option allow-unsafe-native-code-during-evaluation true`, a build hook).
_OTHER_OPTIONS = {"pnpm": frozenset({"-c", "--shell-mode"})}
_NIX_CODE_SETTINGS = ("allow-unsafe-native-code-during-evaluation", "build-hook", "pre-build-hook",
                      "post-build-hook", "diff-hook")


def nix_code(name: str, words: list[_Word]) -> str:
    """A nix setting on the line that runs programs the policy does not see ("" if none)."""
    if not name.startswith("nix"):
        return ""
    return next((w.value for w in words[1:] if w.value and any(
        s in w.value for s in _NIX_CODE_SETTINGS)), "")


def other_verb(name: str, words: list[_Word]) -> bool:
    """Whether `name` is a program a table reads for some verbs only (`_LAUNCHER_VERBS`) and
    `words` give it another: its first words that are no option (any start, a word known only
    at run time counts as another) are not one of the verbs read whole."""
    if name not in _LAUNCHER_VERBS or name in _WHOLE:
        return False
    given: list[str] = []
    for word in words[1:]:
        if word.value is None:
            return True
        if word.value == "--":
            break
        if word.value.partition("=")[0] in _OTHER_OPTIONS.get(name, ()) or (
                name in _OTHER_OPTIONS and word.value[:2] != "--" and word.value[:1] == "-"
                and any(f"-{c}" in _OTHER_OPTIONS[name] for c in word.value[1:])):
            return True
        if not word.value.startswith("-"):
            given.append(word.value)
    return not any(tuple(given[:len(verbs)]) == verbs for verbs in _LAUNCHER_VERBS[name])


# Output options of programs read for their others: value is a file (`file`), a folder it
# fills (`folder`), or tshark's `PROTOCOL,FOLDER` (`export`).
_OUTPUTS: dict[str, dict[str, str]] = {
    "pv": {"-o": "file", "--output": "file"},
    "xgettext": {"-p": "folder", "--output-dir": "folder"},
    "msgcat": {"-p": "folder", "--output-dir": "folder"},
    "kotlinc": {"-d": "folder"},
    # the folder sort writes the sorted chunks of its input to (attack y34f, finding 3)
    "sort": {"-T": "folder", "--temporary-directory": "folder"},
    "parallel": {"--tmpdir": "folder", "--tempdir": "folder"},
    **{name: {"-w": "folder"} for name in ("7z", "7za", "7zr", "7zz")},  # its working folder
    # Wireshark's log files (its common `--log-file`) and TLS keys, gettext's output folders
    **{name: {"--log-file": "file"} for name in ("dumpcap", "mergecap", "wireshark", "rawshark")},
    "tshark": {"--export-objects": "export", "--log-file": "file",
               "--export-tls-session-keys": "file"},
    "msgfmt": {"-d": "folder", "--directory": "folder"},
    # node's files of warnings (whose text the script gives), profiles and reports
    **{name: {"--redirect-warnings": "file", "--cpu-prof-dir": "folder", "--heap-prof-dir": "folder",
              "--diagnostic-dir": "folder", "--report-directory": "folder"}
       for name in ("node", "nodejs")},
    # the package managers' download, cache and root folders (read for their prompts)
    **{name: {"--downloaddir": "folder", "--destdir": "folder", "--installroot": "folder"}
       for name in ("dnf", "yum", "microdnf", "dnf5", "tdnf")},
    "zypper": {"--root": "folder", "-R": "folder", "--pkg-cache-dir": "folder",
               "--cache-dir": "folder", "--download-dir": "folder"},
    "pacman": {"-r": "folder", "--root": "folder", "--cachedir": "folder", "-b": "folder",
               "--dbpath": "folder"},
}
# Short options that take a value, by program: in a cluster the rest of the word is its value.
_VALUE_LETTERS = {"sort": "ktoS", "pv": "LBNdirAsmwHD"}
# Programs whose options are long ones after one dash (`kotlinc -include-runtime`), or whose
# short ones are read here alone (pacman's `-Syu` has no `-r`): only the option spelled in full.
_ONE_DASH = frozenset({"kotlinc", "zypper", "pacman"})
# Python's own modules whose command line writes what an option names (`python3 -m
# pickletools -o F`; cProfile, trace, zipfile, tarfile, gzip and json.tool have their readers).
_MODULE_OUTPUTS: dict[str, dict[str, str]] = {
    "pickletools": {"-o": "file", "--output": "file"},
    "zipapp": {"-o": "file", "--output": "file"},
    "ensurepip": {"--root": "folder"},
}


def option_writes(name: str, words: list[_Word]) -> list[PathArg]:
    """The files and folders `name`'s output options in `words` write (`_OUTPUTS`): long ones
    by any start of their name, with `=VALUE` or the next word; short ones alone, attached or
    the last letter of a cluster of flags. A value known only at run time: unknown."""
    if name == "msgmerge":
        return _updated(name, words)
    options = _OUTPUTS.get(name)
    interpreter = INTERPRETERS.fullmatch(name)
    if options is None and interpreter is not None and interpreter.group("python"):
        module, words = _module(words)
        options = _MODULE_OUTPUTS.get(module or "")
    if options is None:
        return []
    found: list[PathArg] = []
    for index, word in enumerate(words[1:], 1):
        value = word.value
        if value is None:
            # `--temporary-directory=$x`, `-T"$x"`: the option is there, its value unknown
            value = word.text.lstrip("'\"")
            if _output(options, value.partition("$")[0] + "x", None, name in _ONE_DASH,
                       _VALUE_LETTERS.get(name, ""))[0] is not None and value[:1] == "-":
                found.append(PathArg(word.text, "unknown"))
            continue
        if not value.startswith("-") or value == "--":
            if value == "--":
                break
            continue
        following = words[index + 1] if index + 1 < len(words) else None
        kind, argument = _output(options, value, following, name in _ONE_DASH,
                                 _VALUE_LETTERS.get(name, ""))
        if kind is None:
            continue
        if argument is None or argument.value is None:
            found.append(PathArg(f"(the output of {name} {value})", "unknown"))
            continue
        text = argument.value
        if kind == "export":
            text = text.partition(",")[2] or text
        path = _path_arg(argument._replace(value=text, text=text))
        found.append(path)
        if kind in ("folder", "export") and path.kind != "unknown":
            found.append(PathArg(f"{path.text.rstrip('/')}/**", "pattern", path.tilde))
    return found


def _updated(name: str, words: list[_Word]) -> list[PathArg]:
    """`msgmerge -U DEF REF`: DEF is rewritten in place."""
    values = [w.value for w in words[1:]]
    if name != "msgmerge" or not any(v == "--update" or (v or "").startswith("--up") or (
            v and v[:1] == "-" and v[1:2] != "-" and "U" in v) for v in values):
        return []
    operand = next((w for w in words[1:] if w.value is None or not w.value.startswith("-")), None)
    return [_path_arg(operand)] if operand is not None else []


# Options whose value is a program the program runs (pandoc's filters and PDF engine).
_OPTION_PROGRAMS = {"pandoc": frozenset({"--filter", "-F", "--pdf-engine"})}


def option_programs(name: str, words: list[_Word]) -> list[_Word]:
    """The programs `name`'s options in `words` run (`_OPTION_PROGRAMS`), each to be judged as a
    command run with no words (`pandoc --filter=rm`, `-F /tmp/x`, `--pdf-engine=PROG`)."""
    options = _OPTION_PROGRAMS.get(name, frozenset())
    found: list[_Word] = []
    for index, word in enumerate(words[1:], 1):
        value = word.value if word.value is not None else word.text.lstrip("'\"")
        option, has_value, attached = value.partition("=")
        if word.value is None and (option in options or option[:2] in options):
            found.append(_Word(None, word.text))  # `--filter=$x`: a program known at run time
            continue
        if option in options or (option.startswith("--") and len(option) > 3 and any(
                o.startswith(option) for o in options if o.startswith("--"))):
            if has_value:
                found.append(_Word(attached, attached))
            elif index + 1 < len(words):
                found.append(words[index + 1])
        elif option[:2] in options and len(option) > 2 and not option.startswith("--"):
            found.append(_Word(value[2:], value[2:]))  # `-Frm`
    return found


# ruby's un library (`ruby -run -e cp -- SRC DEST`): coreutils' verbs, run as those programs.
_RUBY_UN = frozenset({"cp", "ln", "mv", "rm", "mkdir", "rmdir", "install", "chmod", "touch"})


def ruby_un(name: str, words: list[_Word]) -> tuple[list[_Word], str]:
    """What `ruby -run -e VERB ARGS` runs: the coreutils command VERB ARGS (un.rb's options are
    theirs: -r, -f, -p, -v, -m), or a reason it is unknown (`httpd`, a verb not read, a word
    known only at run time); ([], "") for any other line."""
    perl = perl_command(name, words)  # `perl -MExtUtils::Command -e rm_rf /` (a36f, 20)
    if perl != ([], ""):
        return perl
    interpreter = INTERPRETERS.fullmatch(name)
    values = [w.value for w in words]
    if interpreter is None or not interpreter.group("ruby") or not any(
            v == "-run" or (v == "-r" and values[i + 1:i + 2] == ["un"])
            for i, v in enumerate(values)):
        return [], ""
    at = next((i for i, v in enumerate(values) if v == "-e"), None)
    if at is None or at + 1 >= len(words):
        return [], ""
    verb = values[at + 1]
    rest = words[at + 2:]
    if rest and rest[0].value == "--":
        rest = rest[1:]
    if verb not in _RUBY_UN or any(w.value is None for w in rest):
        return [], f"ruby -run -e {words[at + 1].text}: un.rb's command the policy does not read"
    return [_Word(verb, verb), *rest], ""


def _module(words: list[_Word]) -> tuple[str | None, list[_Word]]:
    """The module python's `-m` names (`-m M`, `-mM`, `-Im M`) and the words from it on."""
    for index, word in enumerate(words[1:], 1):
        value = word.value or ""
        if not value.startswith("-") or value == "--":
            return None, words
        letters = value[1:] if not value.startswith("--") else ""
        if "m" in letters:
            attached = letters[letters.index("m") + 1:]
            if attached:
                return attached, words[index:]
            following = words[index + 1] if index + 1 < len(words) else None
            return (following.value if following is not None else None), words[index + 1:]
    return None, words


def _output(options: dict[str, str], value: str, following: _Word | None, one_dash: bool = False,
            valued: str = "") -> tuple[str | None, _Word | None]:
    """What `value` (an option word) is among `options`, and its argument."""
    if one_dash and not value.startswith("--"):
        option, has_value, attached = value.partition("=")
        if option not in options:
            return None, None
        return options[option], _Word(attached, attached) if has_value else following
    if value.startswith("--"):
        option, has_value, attached = value.partition("=")
        names = [o for o in options if o.startswith("--") and o.startswith(option) and len(option) > 2]
        if not names:
            return None, None
        kind = options[names[0]]
        return kind, _Word(attached, attached) if has_value else following
    for position, letter in enumerate(value[1:], 1):
        kind = options.get(f"-{letter}")
        if kind is not None:
            rest = value[position + 1:]
            return kind, _Word(rest, rest) if rest else following
        if letter in valued:
            break  # the rest is that option's value (`sort -t, -kT`)
    return None, None
