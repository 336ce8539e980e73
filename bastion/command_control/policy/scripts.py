"""The files sed, gawk and m4 write and the code sed runs, each read from its own words and
script: sed's script read as GNU sed compiles it (`_sed_effects`), its options permuted
(`_sed_writes`); gawk's in-place editing and its profile, pretty-print and variable dumps
(`_gawk_writes`); m4's debug and frozen-state files (`_m4_writes`)."""

from __future__ import annotations

import re

from bastion.command_control.policy.options import _long_option, _options, _permuted
from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

# found after outside attack E (finding 3): more writers, and code in their options. Each returns
# (files written, code run: a string, or None for code known only at run time).
_SED_OPTIONS = _options("efl", ("--expression", "--file", "--line-length"), attached="i",
                        flags=("--in-place",))
_SED_ADDRESS = re.compile(r"[0-9$,+~ \t]+")
# found after outside attack W (finding 5): GNU sed (4.9) ends a label (`:a`, `b a`, `t a`, `T a`,
# `v 4.2`) at a blank, `;` or a newline, and reads the next command right after it: `:a;w F`,
# `b x w F`. (`}` too here: a label that holds one is refused, so reading on only adds.)
_LABEL_END = " \t\n;}"


def _sed_effects(script: str) -> tuple[list[str], list[str | None]]:
    """What a sed script writes and runs: `w FILE`, `W FILE`, `s/../../w FILE`, `e CMD` (a bare
    `e` or the `e` flag of `s` runs the pattern space: None). Read as GNU sed compiles it: the
    text of `a`, `i`, `c` to a newline no backslash escapes, a file name (`r`, `R`, `w`, `W`) or
    `e`'s command to the line's end, a comment to the line's end, a label to a blank, `;` or a
    newline. GNU sed opens every `w` file when it compiles the script, even one it then refuses:
    where this reading and sed's differ, it reads more commands, never fewer."""
    writes: list[str] = []
    code: list[str | None] = []
    index, size = 0, len(script)

    def line_end(start: int) -> int:
        end = script.find("\n", start)
        return size if end < 0 else end

    def text_end(start: int) -> int:
        # `a foo\` NEWLINE `bar`: a newline after an odd run of backslashes goes on with the text.
        while start < size and script[start] != "\n":
            start += 2 if script[start] == "\\" else 1
        return min(start, size)

    def delimited(start: int, delimiter: str) -> int:
        # The index after the closing delimiter of a regex or replacement starting at `start`.
        while start < size and script[start] != delimiter:
            start += 2 if script[start] == "\\" else 1
        return start + 1

    def label_end(start: int) -> int:
        while start < size and script[start] in " \t":
            start += 1
        while start < size and script[start] not in _LABEL_END:
            start += 1
        return start

    while index < size:
        char = script[index]
        if char in " \t\n;{}!":
            index += 1
        elif char == "#":
            index = line_end(index)
        elif char in "0123456789$,+~":
            index = _SED_ADDRESS.match(script, index).end()  # type: ignore[union-attr]
        elif char in "/\\":
            if char == "\\":
                index += 1
            delimiter = script[index] if index < size else "/"
            index = delimited(index + 1, delimiter)
            while index < size and script[index] in "IM":
                index += 1
        else:
            index += 1
            rest_end = line_end(index)
            if char in "wW":
                writes.append(script[index:rest_end].strip(" \t"))
                index = rest_end
            elif char == "e":
                command = script[index:rest_end].strip(" \t")
                code.append(command or None)
                index = rest_end
            elif char in "aic":
                index = text_end(index)
            elif char in "rR":
                index = rest_end
            elif char in ":btTv":
                index = label_end(index)
            elif char in "sy" and index < size:
                delimiter = script[index]
                index = delimited(delimited(index + 1, delimiter), delimiter)
                if char == "s":
                    while index < size and script[index] not in ";\n}":
                        flag = script[index]
                        if flag == "w":
                            writes.append(script[index + 1:line_end(index)].strip(" \t"))
                            index = line_end(index)
                            break
                        if flag == "e":
                            code.append(None)
                        index += 1
    return writes, code


def _sed_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """sed's writes and code: the files `-i` rewrites, and what each script does. GNU getopt
    permutes: an -e or -f anywhere (`sed -n IN -e 'w F'`) makes every operand a file; without
    one, the first operand is the script. GNU sed joins the -e scripts with newlines (`-e 'a\\'
    -e TEXT` appends TEXT): each is read alone and all joined, so that both readings count."""
    permuted = _permuted(words, 1, _SED_OPTIONS)
    if permuted is None:
        return [PathArg("(sed options known only at run time)", "unknown")], [None]
    options, operands = permuted
    scripts = [argument for option, argument in options if option in ("-e", "--expression")]
    if not any(option in ("-e", "--expression", "-f", "--file") for option, _ in options):
        scripts, operands = operands[:1], operands[1:]
    paths: list[PathArg] = []
    # `sed -i` (`-ni`, `-i.bak`, `--in-place`, `--in-pl`: attack G, finding 5) rewrites each file.
    if any(o == "--in-place" or (not o.startswith("--") and o == "-i") for o, _ in options):
        paths += [_path_arg(w) for w in operands if w.value != "-"]
    texts: list[str] = []
    for script in scripts:
        if script is None:
            continue
        if script.value is None:
            return [PathArg(script.text, "unknown")], [None]
        texts.append(script.value)
    codes: list[str | None] = []
    for text in texts + (["\n".join(texts)] if len(texts) > 1 else []):
        written, ran = _sed_effects(text)
        paths += [PathArg(w, "exact", w.startswith("~")) if w else PathArg("(no file)", "unknown")
                  for w in written if w not in ("/dev/stdout", "/dev/stderr")]
        codes += ran
    return paths, codes


# gawk's options (4.1 to 5.3): those that take a value (the next word, or attached), and those
# whose value is optional and attached only (`-d[FILE]`, `--dump-variables[=FILE]`).
_GAWK_VALUES = "fvFEile"
_GAWK_LONG_VALUES = frozenset({"--file", "--assign", "--field-separator", "--exec", "--include",
                               "--load", "--source"})
_GAWK_OPTIONAL = {"d": "awkvars.out", "o": "awkprof.out", "p": "awkprof.out", "D": "", "L": ""}
_GAWK_LONG_OPTIONAL = {"--dump-variables": "d", "--pretty-print": "o", "--profile": "p",
                       "--debug": "D", "--lint": "L"}
_GAWK_LONG = _GAWK_LONG_VALUES | frozenset(_GAWK_LONG_OPTIONAL) | frozenset({
    "--characters-as-bytes", "--traditional", "--copyright", "--gen-pot", "--help",
    "--lint-old", "--no-optimize", "--optimize", "--posix", "--re-interval", "--sandbox",
    "--use-lc-numeric", "--version", "--bignum", "--csv", "--non-decimal-data",
    "--persist", "--trace"})
# Loading gawk's inplace extension (`-i inplace`, `--include=inplace`, `-iinplace.awk`) rewrites
# each file operand.
_INPLACE = re.compile(r"(.*/)?inplace(\.awk)?")
_ASSIGNMENT = re.compile(r"[A-Za-z_]\w*=")  # an operand `var=value` sets a variable


def _gawk_writes(words: list[_Word]) -> list[PathArg]:
    """Files gawk writes from its options (found after outside attack W, findings 5 and 14): the
    file operands with the inplace extension loaded, `-d[FILE]`, `-o[FILE]`, `-p[FILE]` and their
    long names (`--dump-variables[=FILE]`..., any start of one) with their default names in the
    working directory when no FILE is attached. A word the policy cannot read as a gawk option
    is unknown."""
    written: list[PathArg] = []
    inplace = program_given = False
    operands: list[_Word] = []
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        following = words[index + 1] if index + 1 < len(words) else None
        index += 1
        if value is None:
            return [PathArg(word.text, "unknown")]
        if operands or value == "-" or not value.startswith("-"):
            operands.append(word)
            continue
        if value == "--":
            operands += words[index:]
            break
        if value.startswith("--"):
            head, has_value, attached = value.partition("=")
            option = _long_option(head, _GAWK_LONG)
            if option not in _GAWK_LONG:
                return [PathArg(f"(a gawk option the policy does not read: {head})", "unknown")]
            letter = _GAWK_LONG_OPTIONAL.get(option)
            argument: _Word | None = _Word(attached, attached) if has_value else None
            if option in _GAWK_LONG_VALUES and not has_value:
                argument, index = following, index + 1
            pairs = [(option, letter, argument)]
        elif value.startswith("-W"):
            return [PathArg("(a gawk -W option the policy does not read)", "unknown")]
        else:
            pairs = []
            for offset, letter in enumerate(value[1:], start=2):
                rest = value[offset:]
                if letter in _GAWK_VALUES:
                    pairs.append((f"-{letter}", None, _Word(rest, rest) if rest else following))
                    index += 0 if rest else 1
                    break
                if letter in _GAWK_OPTIONAL:
                    pairs.append((f"-{letter}", letter, _Word(rest, rest) if rest else None))
                    break
        for option, letter, argument in pairs:
            text = argument.value if argument is not None else None
            if option in ("-f", "--file", "-E", "--exec", "-e", "--source"):
                program_given = True
            if option in ("-i", "--include") and (text is None or _INPLACE.fullmatch(text)):
                inplace = True
            if letter is not None and _GAWK_OPTIONAL[letter]:
                written.append(_path_arg(argument) if argument is not None else
                               PathArg(_GAWK_OPTIONAL[letter]))
    if inplace:
        written += [_path_arg(w) for w in operands[0 if program_given else 1:] if w.value != "-"
                    and not _ASSIGNMENT.match(w.value or "")]
    return written


# m4's options that take a value as the next word or attached, and those that write the file
# they name: `-o FILE` (--error-output), `--debugfile[=FILE]` (its value optional, attached
# only), `-F FILE` (--freeze-state).
_M4 = _options("DUIFRLlotHW", ("--define", "--undefine", "--include", "--freeze-state",
                               "--reload-state", "--nesting-limit", "--arglength", "--error-output",
                               "--trace", "--hashsize", "--word-regexp"))
_M4_WRITES = frozenset({"-o", "--error-output", "-F", "--freeze-state", "--debugfile"})


def _m4_writes(words: list[_Word]) -> list[PathArg]:
    """The files m4 writes from its options (found after outside attack W, finding 14)."""
    permuted = _permuted(words, 1, _M4)
    if permuted is None:
        return [PathArg("(m4 options known only at run time)", "unknown")]
    options, _ = permuted
    return [_path_arg(argument) if argument is not None else PathArg("(no file)", "unknown")
            for option, argument in options if _long_option(option, _M4_WRITES | _M4.long) in _M4_WRITES
            and (argument is not None or option != "--debugfile")]
