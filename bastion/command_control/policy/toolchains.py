"""Compilers, assemblers, linkers and object tools as writers (found after outside attack W,
finding 9): the files they write and the programs their options run.

A compiler driver (gcc, cc, c++, clang, cpp, by any versioned or cross name: gcc-12,
x86_64-linux-gnu-g++-12, clang-15) writes `-o FILE` in every spelling, the dependency, dump and
auxiliary files its options name (`-MF`, `-aux-info`, `-fdump-*=F`, `-MJ`), what it passes to
the linker, assembler and preprocessor (`-Wl,-Map=F`, `-Xlinker -o -Xlinker F`, `-Wp,-MD,F`),
and with `-save-temps`, `-MD`, `-dumpdir` files beside its output. cpp writes its second
operand. What runs code is code: `-wrapper PROG,ARGS` runs PROG (judged as the command it makes),
`-B DIR`, `-specs=`, `-fplugin=`, a linker plugin, clang's `--ld-path`, `-fuse-ld=/path`, a
response file `@FILE` (any option at all) run programs the line does not show (unknown).
The rest: as, ld (ld.bfd, ld.gold, lld, mold), objcopy, strip, rustc, javac."""

from __future__ import annotations

import functools
import re
import shlex

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _at, _Word

# A cross prefix (`x86_64-linux-gnu-`, `aarch64-none-elf-`) and a version suffix (`-12`, `-15.0`).
_CROSS = r"(?:[A-Za-z0-9_]+(?:-[A-Za-z0-9_.]+){1,3}-)?"
_VERSION = r"(?:-?[0-9][0-9.]*)?"
_DRIVER = re.compile(_CROSS + r"(gcc|g\+\+|cc|c\+\+|cpp|clang|clang\+\+|clang-cpp|c89|c99|c89-gcc|"
                     r"c99-gcc|gfortran|gccgo|gdc|tcc|icx|icpx)" + _VERSION)
_TOOL = re.compile(_CROSS + r"(as|gas|llvm-as|ld|ld\.bfd|ld\.gold|ld\.lld|ld\.mold|ld64\.lld|lld|"
                   r"mold|gold|objcopy|llvm-objcopy|strip|llvm-strip|eu-strip|rustc|javac)" + _VERSION)

# The driver's options whose value is the next word when not attached (gcc's "Separate"
# options; clang's own), so that operands and the words after `-o` are read where gcc reads them.
_SEPARATE = frozenset({
    "-o", "-x", "-I", "-D", "-U", "-include", "-imacros", "-iprefix", "-iwithprefix",
    "-iwithprefixbefore", "-isystem", "-idirafter", "-iquote", "-isysroot", "-imultilib",
    "-iwithsysroot", "-iframework", "-include-pch", "-MF", "-MT", "-MQ", "-MJ", "-A", "-L", "-l",
    "-T", "-u", "-z", "-e", "-G", "-B", "-aux-info", "-dumpbase", "-dumpbase-ext", "-dumpdir",
    "-wrapper", "-Xlinker", "-Xassembler", "-Xpreprocessor", "-Xclang", "-mllvm", "-arch",
    "-target", "--param", "--sysroot", "--output", "--include", "--include-directory",
    "--define-macro", "--undefine-macro", "--language", "--prefix", "--specs", "-specs",
    "--serialize-diagnostics", "-Xarch_host", "-Xarch_device", "-Xopenmp-target",
    "-working-directory", "-ivfsoverlay", "-resource-dir", "-gcc-toolchain",
})  # fmt: skip
# Options whose value may be attached to the letters (`-ofile`, `-MFdeps`, `-Bdir`, `-Idir`).
_JOINED = ("-MF", "-MT", "-MQ", "-MJ", "-o", "-x", "-I", "-D", "-U", "-A", "-L", "-l", "-T", "-u",
           "-z", "-e", "-G", "-B")
# `-f...=FILE` options that write FILE (GCC's dump and optimisation reports, clang's records).
_F_WRITES = re.compile(r"-f(dump-[\w-]+|opt-info[\w-]*|optimization-record-file|time-trace|"
                       r"crash-diagnostics-dir|modules-cache-path|save-optimization-record|"
                       r"callgraph-info|stack-usage)=(.+)", re.S)
# Options that write files beside the output (or in the working folder), named from it.
_BESIDE = re.compile(r"-(save-temps(=.*)?|MD|MMD|fdump-[\w-]+|fstack-usage|fcallgraph-info.*|"
                     r"gsplit-dwarf|ftime-trace|fsave-optimization-record.*|-write-dependencies|"
                     r"-write-user-dependencies)")
# Options that make the driver run a program the line does not name (or load code into itself).
_RUNS = re.compile(r"-(B.*|specs=.*|-specs=.*|fplugin=.*|fpass-plugin=.*|-ld-path=.*|"
                   r"fuse-ld=.*/.*|-gcc-toolchain=.*|-gcc-install-dir=.*|ccc-.*)", re.S)
_CLANG = re.compile(_CROSS + r"clang(\+\+|-cpp)?" + _VERSION)


@functools.lru_cache(maxsize=1024)  # asked of every command a line runs
def toolchain(name: str) -> str | None:
    """The kind of compiler or binary tool `name` is ("driver", "cpp", or the tool's plain
    name: "ld", "as", "objcopy", "strip", "rustc", "javac"), None for any other program."""
    driver = _DRIVER.fullmatch(name)
    if driver is not None:
        return "cpp" if driver.group(1) in ("cpp", "clang-cpp") else "driver"
    tool = _TOOL.fullmatch(name)
    if tool is None:
        return None
    plain = tool.group(1).removeprefix("llvm-").removeprefix("eu-")
    if plain in ("gas",):
        return "as"
    if plain.startswith(("ld", "lld", "mold", "gold")):
        return "ld"
    return plain


def toolchain_writes(name: str, words: list[_Word], values: dict[str, str | None] | None = None
                     ) -> tuple[list[PathArg], list[str | None]]:
    """The files a compiler or binary tool writes, and the code its options run (a string
    judged as shell code, or None: code the line cannot show). Fails closed: an option known
    only at run time, or a response file, is code known only at run time."""
    kind = toolchain(name)
    if kind in ("driver", "cpp"):
        return _driver_writes(name, kind, words, values or {})
    if kind == "ld":
        return _linker_writes([w.value for w in words[1:]])
    if kind == "as":
        return _assembler_writes([w.value for w in words[1:]])
    if kind in ("objcopy", "strip"):
        return _objcopy_writes(kind, words)
    if kind == "rustc":
        return _rustc_writes(words)
    if kind == "javac":
        return _javac_writes(words)
    return [], []


def _file(word: _Word | None, text: str | None = None) -> PathArg:
    if word is None:
        return PathArg("(a file the line does not name)", "unknown")
    return _path_arg(word, text, False if text is not None else None)


def _beside(output: PathArg | None, inputs: list[_Word]) -> list[PathArg]:
    """Where -save-temps, -MD and the dumps put files: named from the output (`x.o`: `x*`) and
    from each input's stem (`d/a.c`: `a*`), in the output's folder (else the working one)."""
    if output is not None and output.kind == "unknown":
        return [output]
    folder = ""
    found: list[PathArg] = []
    if output is not None:
        folder = output.text.rpartition("/")[0] + "/" if "/" in output.text else ""
        found.append(PathArg(f"{output.text.rpartition('.')[0] or output.text}*", "pattern", output.tilde))
    for word in inputs:
        if word.value is None:
            found.append(PathArg(word.text, "unknown"))
            continue
        stem = word.value.rstrip("/").rsplit("/", 1)[-1].rpartition(".")[0] or word.value
        found.append(PathArg(f"{folder}{stem}*", "pattern", output is not None and output.tilde))
    return found


def _driver_writes(name: str, kind: str, words: list[_Word], values: dict[str, str | None]
                   ) -> tuple[list[PathArg], list[str | None]]:
    written: list[PathArg] = []
    codes: list[str | None] = []
    operands: list[_Word] = []
    beside = False
    output: PathArg | None = None
    linker: list[str | None] = []
    assembler: list[str | None] = []
    preprocessor: list[str | None] = []
    if any(v in values for v in ("GCC_EXEC_PREFIX", "COMPILER_PATH")):
        codes.append(None)  # the driver runs its passes from there
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        following = _at(words, index + 1)
        index += 1
        if value is None:
            if not word.fresh:
                codes.append(None)  # any option at all, `-wrapper` or `-B` among them
            continue
        if value.startswith("@"):
            codes.append(None)  # a response file: options the line does not show
            continue
        if not value.startswith("-") or value == "-":
            operands.append(word)
            continue
        if value.startswith("--") and len(value) > 2 and "--output".startswith(value.partition("=")[0]):
            _, has_value, rest = value.partition("=")
            output = _file(word, rest) if has_value else _file(following)
            written.append(output)
            index += 0 if has_value else 1
            continue
        if value.startswith("--output-pch="):
            written.append(_file(word, value.partition("=")[2]))
            continue
        if value in _SEPARATE:
            index += 1
            argument = following.value if following is not None else None
            if value in ("-o", "-MF", "-MJ", "-aux-info", "--serialize-diagnostics"):
                path = _file(following)
                written.append(path)
                if value == "-o":
                    output = path
            elif value in ("-dumpdir", "-dumpbase"):
                path = _file(following)
                written.append(path if path.kind == "unknown" else path._replace(
                    text=f"{path.text}*", kind="pattern"))
            elif value == "-wrapper":
                codes.append(None if argument is None else shlex.join([*argument.split(","), "cc1"]))
            elif value in ("-B", "--specs", "-specs", "-gcc-toolchain") or (
                    value == "--sysroot" and _CLANG.fullmatch(name)):
                codes.append(None)
            elif value == "-Xlinker":
                linker.append(argument)
            elif value == "-Xassembler":
                assembler.append(argument)
            elif value == "-Xpreprocessor":
                preprocessor.append(argument)
            elif value in ("-Xclang", "-mllvm") and (argument is None or re.match(
                    r"-?-?(load|plugin|fpass-plugin|add-plugin)", argument)):
                codes.append(None)
            continue
        if value.startswith("-Wl,"):
            linker += value.split(",")[1:]
            continue
        if value.startswith("-Wa,"):
            assembler += value.split(",")[1:]
            continue
        if value.startswith("-Wp,"):
            preprocessor += value.split(",")[1:]
            continue
        if _RUNS.fullmatch(value) or (value.startswith("--sysroot=") and _CLANG.fullmatch(name)):
            codes.append(None)
            continue
        dump = _F_WRITES.fullmatch(value)
        if dump is not None:
            written.append(_file(word, dump.group(2)))
            continue
        if _BESIDE.fullmatch(value):
            beside = True
        joined = next((o for o in _JOINED if value.startswith(o) and len(value) > len(o)), None)
        if joined in ("-o", "-MF", "-MJ"):
            path = _file(word, value[len(joined):])
            written.append(path)
            if joined == "-o":
                output = path
    if beside:
        written += _beside(output, operands)
    if kind == "cpp":
        # cpp IN OUT: every operand after the first is its output (were an option unknown
        # here to take a value, the input would be second and the output third).
        written += [_file(w) for w in operands[1:]]
    if None in preprocessor:
        codes.append(None)
    written += _preprocessor_writes([a for a in preprocessor if a is not None])
    if linker:
        more, ran = _linker_writes(linker)
        written += more
        codes += ran
    if assembler:
        written += _assembler_writes(assembler)[0]
    return written, codes


def _preprocessor_writes(arguments: list[str]) -> list[PathArg]:
    """`-Wp,-MD,FILE`, `-Wp,-MMD,FILE`, `-Wp,-MF,FILE`, `-Wp,-o,FILE` (and -Xpreprocessor)."""
    written: list[PathArg] = []
    for position, argument in enumerate(arguments):
        if argument in ("-MD", "-MMD", "-MF", "-o"):
            if position + 1 < len(arguments):
                written.append(PathArg(arguments[position + 1]))
        elif argument.startswith("-MF") and len(argument) > 3:
            written.append(PathArg(argument[3:]))
        elif argument.startswith("-o") and len(argument) > 2:
            written.append(PathArg(argument[2:]))
    return written


# The linker's options that write a file (GNU ld reads one or two dashes alike).
_LD_WRITES = ("o", "output", "Map", "dependency-file", "out-implib", "print-map-discarded",
              "Map-file", "cref-file", "write-file")
_LD_CODE = ("plugin", "load-plugin")


def _linker_writes(arguments: list[str | None]) -> tuple[list[PathArg], list[str | None]]:
    """GNU ld's and its kin's files (`-o F`, `-oF`, `--output=F`, `-Map=F`, `-Map F`,
    `--dependency-file=F`, `--out-implib F`) and plugins (`-plugin F`: code). A response
    file (`@F`) or an argument known only at run time: code known only at run time."""
    written: list[PathArg] = []
    codes: list[str | None] = []
    index = 0
    while index < len(arguments):
        argument = arguments[index]
        following = arguments[index + 1] if index + 1 < len(arguments) else None
        index += 1
        if argument is None or argument.startswith("@"):
            codes.append(None)
            continue
        if not argument.startswith("-"):
            continue
        name, has_value, rest = argument.lstrip("-").partition("=")
        if name in _LD_WRITES or name in _LD_CODE:
            value = rest if has_value else following
            index += 0 if has_value else 1
            if name in _LD_CODE:
                codes.append(None)
            elif value is not None:
                written.append(PathArg(value))
            else:
                written.append(PathArg("(a file known only at run time)", "unknown"))
        elif argument.startswith("-o") and not argument.startswith("--"):
            written.append(PathArg(argument[2:]))
    return written, codes


def _assembler_writes(arguments: list[str | None]) -> tuple[list[PathArg], list[str | None]]:
    """as: `-o F` (`-oF`), a listing `-a[cdghlmns]=F`, dependencies `--MD F`."""
    written: list[PathArg] = []
    for index, argument in enumerate(arguments):
        following = arguments[index + 1] if index + 1 < len(arguments) else None
        if argument is None or argument.startswith("@"):
            return [*written, PathArg("(options known only at run time)", "unknown")], []
        if argument in ("-o", "--MD"):
            written.append(PathArg(following) if following is not None else
                           PathArg("(a file known only at run time)", "unknown"))
        elif argument.startswith("-o") and len(argument) > 2:
            written.append(PathArg(argument[2:]))
        elif re.fullmatch(r"-a[cdghlmns]*=.+", argument):
            written.append(PathArg(argument.partition("=")[2]))
    return written, []


# objcopy's and strip's options that take the next word as their value.
_OBJCOPY_SEPARATE = frozenset("IOBFjRKNGLWibo")


def _objcopy_writes(kind: str, words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """objcopy IN [OUT] (IN itself without OUT), `--dump-section NAME=FILE`; strip -o FILE, or
    each operand in place. `@FILE` holds options the line does not show: unknown."""
    written: list[PathArg] = []
    operands: list[_Word] = []
    output = False
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        index += 1
        if value is None or value.startswith("@"):
            return [PathArg(word.text, "unknown")], []
        if not value.startswith("-") or value == "-":
            operands.append(word)
        elif value.startswith("--"):
            head, has_value, rest = value.partition("=")
            if head in ("--output-file", "--dump-section"):
                argument = _Word(rest, rest) if has_value else _at(words, index)
                index += 0 if has_value else 1
                if head == "--dump-section" and argument is not None and argument.value is not None:
                    argument = argument._replace(value=argument.value.partition("=")[2])
                written.append(_file(argument))
                output = output or head == "--output-file"
        elif value[1] in _OBJCOPY_SEPARATE:
            argument = _Word(value[2:], value[2:]) if len(value) > 2 else _at(words, index)
            index += 0 if len(value) > 2 else 1
            if value[1] == "o" and kind == "strip":
                written.append(_file(argument))
                output = True
    if kind == "strip":
        return written + ([] if output else [_file(w) for w in operands]), []
    return written + [_file(w) for w in operands[1:2] or operands[:1]], []


def _rustc_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """rustc: `-o F`, `--out-dir D` (D/**), `--emit KIND=F`, `-C incremental=D` (D/**); the
    linker and codegen backend it is told to run or load (`-C linker=P`: code), a crate given
    by path (`--extern NAME=PATH`: a procedural macro runs in the compiler)."""
    written: list[PathArg] = []
    codes: list[str | None] = []
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        index += 1
        if value is None or value.startswith("@"):
            codes.append(None)
            continue
        head, has_value, rest = value.partition("=")
        argument: str | None
        if value in ("-o", "--out-dir", "--emit", "-C", "--codegen", "-Z", "--extern"):
            following = _at(words, index)
            index += 1
            argument = following.value if following is not None else None
        elif head in ("--out-dir", "--emit", "--codegen", "--extern") and has_value:
            value, argument = head, rest
        elif value.startswith(("-o", "-C", "-Z")) and len(value) > 2:
            value, argument = value[:2], value[2:]
        else:
            continue
        if argument is None:
            codes.append(None)
        elif value == "-o":
            written.append(PathArg(argument))
        elif value == "--out-dir":
            written.append(PathArg(f"{argument.rstrip('/')}/**", "pattern"))
        elif value == "--emit":
            written += [PathArg(item.partition("=")[2]) for item in argument.split(",") if "=" in item]
        elif value in ("-C", "--codegen", "-Z"):
            key, _, setting = argument.partition("=")
            if key == "incremental" or key.startswith("dump-"):
                written.append(PathArg(f"{setting.rstrip('/')}/**", "pattern"))
            elif key in ("linker", "codegen-backend", "link-self-contained") or key.startswith(
                    ("link-arg", "llvm-args", "profile-sample", "plugin", "pre-link-arg")):
                codes.append(None if key != "linker" else shlex.join([setting]))
        elif value == "--extern" and "=" in argument:
            codes.append(None)
    return written, codes


def _javac_writes(words: list[_Word]) -> tuple[list[PathArg], list[str | None]]:
    """javac: the class, source and header folders (`-d`, `-s`, `-h`: DIR/**), `-Xstdout F`;
    annotation processors and plugins it loads (`-processor`, `-processorpath`,
    `--processor-module-path`, `-Xplugin:`) and the JVM's own options (`-J...`: an agent) are
    code the line does not show."""
    written: list[PathArg] = []
    codes: list[str | None] = []
    index = 1
    while index < len(words):
        word = words[index]
        value = word.value
        index += 1
        if value is None or value.startswith("@"):
            codes.append(None)
            continue
        head, has_value, rest = value.partition("=")
        if value in ("-d", "-s", "-h", "--directory", "--source-directory", "--header-directory",
                     "-Xstdout") or (has_value and head in ("--directory", "--source-directory",
                                                            "--header-directory")):
            following = _at(words, index)
            if not has_value:
                index += 1
            path = _file(_Word(rest, rest) if has_value else following)
            written.append(path if value == "-Xstdout" or path.kind == "unknown" else path._replace(
                text=f"{path.text.rstrip('/')}/**", kind="pattern"))
        elif value.startswith(("-J", "-Xplugin", "-processor", "--processor", "--plugin")):
            codes.append(None)
    return written, codes
