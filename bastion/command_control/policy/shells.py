"""The one list of shells and interpreters (`SHELLS`, `INTERPRETERS`, `shell_name`), the
options that give them inline code, and the constructs of other shells' grammars that bash's
lacks (`_foreign`)."""

from __future__ import annotations

import re

# The one list of shells and interpreters: the policy judges what they run, and the gate
# (bastion.ssh.gate, through `reads_script_from_stdin`) judges what an exec channel feeds them.
# A shell is named by any path ending in one of these, with a version or not (bash5.2, ksh93).
SHELLS = frozenset({
    "sh", "bash", "rbash", "dash", "ash", "zsh", "ksh", "mksh", "lksh", "pdksh", "oksh", "yash",
    "posh", "fish", "csh", "tcsh",
    # found after outside attack K (suspicions): shells that read a script from stdin too
    "rc", "es", "elvish", "nu", "xonsh",
    "hush",  # busybox hush (attack M)
    "sash", "loksh", "osh", "ysh", "oil", "ion",  # found after outside attack U
})  # fmt: skip
# Shells whose options are not single letters (`-n` is not "no execute" for them: attack M,
# finding 11): nu's `-n` skips its config, xonsh has none, elvish's flags are Go's (`-norc`).
_NO_NOEXEC_LETTER = frozenset({"nu", "xonsh", "elvish"})
# Their letters whose argument is code (fish's -c and -C, nu's -c and -e).
_CODE_LETTERS = {"fish": "cC", "nu": "ce"}
# elvish's flags (Go's: one dash or two, one word each, `-flag=value`) that take a value.
_ELVISH_VALUES = frozenset({"rc", "db", "sock", "log", "deprecation-level", "port"})
# Shells whose code the policy reads with bash's grammar: bash, and POSIX shells whose syntax
# is a subset of it. Code for the others is also checked for constructs bash does not have.
_BASH_GRAMMAR = frozenset({"sh", "bash", "rbash", "dash", "ash", "posh", "yash"})
# bash's long_args table (shell.c): each name is taken after `--` or a single `-`, while no
# short option came before it. sh may be bash.
BASH_LONG_OPTIONS = frozenset({
    "debug", "debugger", "dump-po-strings", "dump-strings", "help", "init-file", "login",
    "noediting", "noprofile", "norc", "posix", "pretty-print", "protected", "rcfile",
    "restricted", "verbose", "version", "wordexp"})
_BASH_LONG_SHELLS = frozenset({"sh", "bash", "rbash"})
_VERSIONED = re.compile(r"(.+?)[-_.]?[0-9][0-9.]*")
INTERPRETERS = re.compile(
    r"(?P<python>(?:i?python|pypy)[0-9.]*|bpython|ptpython)|(?P<perl>perl[0-9.]*)"
    r"|(?P<ruby>ruby[0-9.]*|jruby|irb|pry)"
    r"|(?P<node>node|nodejs|deno|bun)|(?P<php>php[0-9.]*)|(?P<lua>lua(?:jit)?[0-9.]*)"
    r"|(?P<r>Rscript|R)|(?P<tcl>tclsh[0-9.]*|wish|expect)|(?P<awk>[gmn]?awk|busybox-awk)"
    r"|(?P<pwsh>pwsh|powershell)|(?P<osa>osascript)|(?P<jshell>jshell|groovy|scala)"
    # found after outside attack M (finding 11): more programs that read their program from stdin
    r"|(?P<julia>julia)|(?P<guile>guile[0-9.]*)|(?P<clisp>clisp)|(?P<racket>racket)"
    r"|(?P<ocaml>ocaml)|(?P<repl>sbcl|ecl|swipl|erl|iex|ghci|gforth|groovysh|kotlinc?|clojure|clj"
    r"|bb|csi|gosh|chez|scheme"
    # found after outside attack W (finding 3): more prompts that read code from stdin
    r"|jrunscript|jjs|rhino|qjs|gst|maxima|gp|gprolog|sml|poly|mit-scheme|hugs)"
)
# Per interpreter: letters of options that put code on the command line (so nothing is read
# from stdin), and letters of options that take an argument (so it is not a script file).
_INLINE_CODE = {"python": "cm", "perl": "eE", "ruby": "e", "node": "ep", "php": "rRBE",
                "lua": "e", "r": "e", "tcl": "c", "awk": "", "pwsh": "cC", "osa": "e",
                "jshell": "e", "julia": "eE", "guile": "c", "clisp": "x", "racket": "e",
                "ocaml": "", "repl": ""}  # fmt: skip
# (perl's -x takes its directory attached only: `perl -x - ARGS` reads its program from stdin.)
_TAKES_ARGUMENT = {"python": "WXQ", "perl": "I", "ruby": "IrCEKT", "node": "rC", "php": "cdzSt",
                   "lua": "l", "r": "dg", "tcl": "D", "awk": "fvF", "pwsh": "fFo", "osa": "ls",
                   "jshell": "", "julia": "CJLptHOgm", "guile": "LClex", "clisp": "BKMmLNEpi",
                   "racket": "tlfrkmSAIXGNWLOYu", "ocaml": "I", "repl": ""}  # fmt: skip
# found after outside attack d13f (finding 1): letters known to be flags (they take no value).
# Any other letter may take the next word (`julia -O 3`, `racket -I racket/base`): when no
# script follows that word, it is the option's value and the program is read from stdin.
# A letter that names the script file next (`php -f F`, `guile -s F`, `R -f F`) is a flag here.
_SHORT_FLAGS = {"python": "bBdEhiIOPqsSuvVxR", "perl": "acfhnpsStTuUvwWX",
                "ruby": "acdhlnpsSvwyU", "node": "vhci", "php": "abnhilmsvwHeqfFC",
                "lua": "ivEW", "r": "qsvf", "tcl": "inNvfb", "osa": "i", "julia": "vhqi",
                "guile": "shvq", "racket": "iqvncdbjzyM", "clisp": "hvqIwc", "ocaml": "",
                "jshell": "qsvnpdh"}  # fmt: skip
# Interpreters whose options of one dash and several letters are one option each, read as long
# ones (`long_option_kind`): Java's (`scala -cp DIR`, `groovy -classpath DIR`).
WORD_STYLE = frozenset({"jshell"})
# found after outside attack S (finding 8): letters whose value is only the rest of their own
# word (`perl -MData::Dumper`, `-i.bak`, `ruby -x`), never the next word, and letters whose
# value is only the characters of a pattern at the start of that rest (`perl -lne`: -l's octal
# digits, then -n and -e), so that an option's value is never read as more letters.
_ATTACHED_VALUE = {"perl": "MmixFVdD", "ruby": "xiFTW", "python": "", "php": ""}
_VALUE_PATTERN = {"perl": {"0": r"x[0-9a-fA-F]*|[0-7]*", "l": r"[0-7]*", "C": r"[IOEioASDLa0-9]*"},
                  "ruby": {"0": r"[0-7]*", "K": r"\w?"}}
# Options of one dash and several letters that are one option, with whether the next word is
# their value (tclsh's `-encoding utf-8`, wish's `-name x`: attack S, finding 8).
_WORD_OPTIONS = {"tcl": {"-encoding": True, "-name": True, "-display": True, "-geometry": True,
                         "-class": True, "-colormap": True, "-visual": True, "-use": True,
                         "-sync": False}}
# Long options whose value is a file of code loaded before the program (`node --require
# /dev/stdin`, `julia --load=/dev/stdin`), each taking the next word unless given `=VALUE`.
_LONG_LOADS = {"node": frozenset({"--require", "--import", "--loader", "--experimental-loader"}),
               "julia": frozenset({"--load"}), "ruby": frozenset(),
               # php's long spellings of -d, -c and -z (attack k20f, finding 7's siblings)
               "php": frozenset({"--define", "--php-ini", "--zend-extension"})}

# found after outside attack S (finding 9): pwsh's parameters (any start of the name, any case,
# matched in this order as pwsh does: `-c` is -Command): what each is, and whether the next
# word is its value. `-Command -` and `-File -` read the program from stdin.
_PWSH_PARAMETERS = (
    ("command", "code"), ("file", "file"), ("encodedcommand", "inline"), ("ec", "inline"),
    ("executionpolicy", "value"), ("ep", "value"), ("workingdirectory", "value"), ("wd", "value"),
    ("inputformat", "value"), ("if", "value"), ("outputformat", "value"), ("of", "value"),
    ("configurationname", "value"), ("configurationfile", "value"), ("custompipename", "value"),
    ("settingsfile", "value"), ("windowstyle", "value"), ("noexit", "prompt"),
    ("interactive", "prompt"), ("login", "flag"), ("nologo", "flag"), ("noprofile", "flag"),
    ("noninteractive", "flag"), ("sta", "flag"), ("mta", "flag"), ("version", "flag"),
    ("help", "flag"),
)


def pwsh_parameter(word: str) -> str | None:
    """What a pwsh parameter word is ("code", "file", "inline", "value", "prompt", "flag"), or
    None for a word pwsh would not take for one of `_PWSH_PARAMETERS`."""
    name = word.lstrip("-").lower()
    if not word.startswith("-") or not name:
        return None
    return next((kind for full, kind in _PWSH_PARAMETERS if full.startswith(name)), None)


def interpreter_cluster(kind: str, word: str) -> tuple[str, str | None, str]:
    """A cluster of an interpreter's short options read as its getopt does: the letters that
    are options (up to and including the first that takes a value: one of `_INLINE_CODE` or
    `_TAKES_ARGUMENT`), that letter (None when none takes one) and its attached value ("" when
    the value, if it takes the next word, is that word). Letters of `_VALUE_PATTERN` take only
    the characters their pattern matches, then the cluster goes on."""
    letters = ""
    takes = _INLINE_CODE.get(kind, "") + _TAKES_ARGUMENT.get(kind, "") + _ATTACHED_VALUE.get(kind, "")
    patterns = _VALUE_PATTERN.get(kind, {})
    index = 1
    while index < len(word):
        letter = word[index]
        letters += letter
        index += 1
        if letter in patterns:
            index += len(re.match(patterns[letter], word[index:]).group())  # type: ignore[union-attr]
            continue
        if letter in takes:
            return letters, letter, word[index:]
    return letters, None, ""


# found after outside attack I (finding 3): options that make an interpreter read code from
# stdin after (or instead of) its program: python's and lua's -i, perl's debugger (-d), node's
# -i, php's interactive shell (-a); python modules that are a prompt.
_INTERACTIVE = {"python": "i", "lua": "i", "perl": "d", "node": "i", "php": "a", "julia": "i",
                "racket": "i", "tcl": "i", "osa": "i"}
_INTERACTIVE_LONG = {"node": ("--interactive",)}
# Interpreters' long options that take the next word as their value, and those known to be
# flags (a prefix ending in `-` stands for every option it starts). A long option in neither,
# given without `=`, may take the next word: that word is then no script file, and the program
# may be read from stdin (outside attack d13f, finding 1: `python3 --check-hash-based-pycs
# default` read `default` as the script, and the program on stdin ran unjudged).
_LONG_VALUES = {
    "python": frozenset({"--check-hash-based-pycs"}),
    # node 20's `--help` options shown with `=...`, and V8's `--trace-` options of a value
    # (`--v8-options`): they take the next word too, ahead of the flag prefixes below (attack
    # e14f, finding 3: `node --trace-event-categories v8` read v8 as the script).
    "node": frozenset({"--title", "--input-type", "--conditions", "--env-file", "--inspect-port",
                       "--max-old-space-size", "--stack-size", "--unhandled-rejections",
                       "--redirect-warnings", "--icu-data-dir", "--openssl-config",
                       "--diagnostic-dir", "--report-dir", "--report-filename", "--watch-path",
                       "--test-reporter", "--test-reporter-destination", "--test-name-pattern",
                       "--disable-proto", "--cpu-prof-dir", "--heap-prof-dir", "--allow-fs-read",
                       "--allow-fs-write", "--build-snapshot-config", "--cpu-prof-interval",
                       "--cpu-prof-name", "--disable-warning", "--dns-result-order",
                       "--env-file-if-exists", "--experimental-default-type",
                       "--experimental-policy", "--experimental-sea-config",
                       "--experimental-config-file", "--heap-prof-interval", "--heap-prof-name",
                       "--heapsnapshot-near-heap-limit", "--heapsnapshot-signal",
                       "--inspect-publish-uid", "--max-http-header-size", "--debug-port",
                       "--network-family-autoselection-attempt-timeout", "--policy-integrity",
                       "--report-directory", "--report-signal", "--secure-heap",
                       "--secure-heap-min", "--snapshot-blob", "--test-concurrency",
                       "--test-shard", "--test-timeout", "--tls-cipher-list", "--tls-keylog",
                       "--trace-event-categories", "--trace-event-file-pattern",
                       "--trace-require-module", "--use-largepages", "--v8-pool-size",
                       "--trace-ignition-dispatches-output-file", "--trace-turbo-path",
                       "--trace-turbo-filter", "--trace-turbo-file-prefix",
                       "--trace-turbo-cfg-file", "--trace-allocation-stack-interval",
                       "--trace-duplicate-threshold-kb", "--localstorage-file",
                       "--test-coverage-include", "--test-coverage-exclude", "--run",
                       "--watch-kill-signal", "--test-isolation"}),
    "ruby": frozenset({"--encoding", "--external-encoding", "--internal-encoding", "--dump",
                       "--backtrace-limit", "--crash-report", "--parser"}),
    "php": frozenset({"--define", "--php-ini", "--zend-extension", "--rf", "--rc", "--re",
                      "--ri", "--rz"}),
    "jshell": frozenset({"--class-path", "--module-path", "--add-modules", "--add-exports",
                         "--startup", "--feedback", "--execution", "--classpath", "--encoding",
                         "--configscript", "-cp", "-classpath", "-howtorun", "-encoding",
                         "-configscript"}),
    "julia": frozenset({"--threads", "--project", "--sysimage", "--home", "--startup-file",
                        "--history-file", "--banner", "--color", "--optimize", "--check-bounds",
                        "--procs", "--machine-file", "--cpu-target", "--heap-size-hint",
                        "--compile", "--depwarn", "--warn-overwrite", "--warn-scope", "--inline",
                        "--math-mode", "--handle-signals", "--min-optlevel", "--pkgimages",
                        "--trace-compile", "--bug-report", "--sysimage-native-code",
                        "--compiled-modules", "--output-o", "--output-bc", "--output-ji",
                        "--output-unopt-bc", "--output-asm", "--output-incremental",
                        "--image-codegen", "--worker", "--bind-to", "--gcthreads"}),
}
_LONG_FLAGS = {
    "python": ("--version", "--help", "--help-env", "--help-xoptions", "--help-all"),
    "node": ("--inspect", "--inspect-brk", "--inspect-wait", "--enable-source-maps",
             "--no-", "--trace-", "--expose-gc", "--abort-on-uncaught-exception",
             "--preserve-symlinks", "--throw-deprecation", "--pending-deprecation", "--prof",
             "--watch", "--test", "--check", "--experimental-", "--harmony", "--use-strict",
             "--frozen-intrinsics", "--zero-fill-buffers", "--cpu-prof", "--heap-prof",
             "--jitless", "--v8-options", "--help", "--version"),
    "ruby": ("--verbose", "--version", "--copyright", "--yjit", "--rjit", "--jit",
             "--disable-", "--enable-", "--debug", "--help"),
    "php": ("--no-php-ini", "--syntax-check", "--info", "--modules", "--version", "--help",
            "--no-header", "--hide-args", "--strip", "--syntax-highlight", "--ini"),
    "julia": ("--version", "--help", "--quiet", "--lisp", "--help-hidden"),
    "jshell": ("--no-startup", "--enable-preview", "--help", "--version", "--show-version",
               "--help-extra", "--quiet", "--verbose", "--compile-static", "-nc", "-save",
               "-version", "-help", "-J", "-R", "-C", "-D"),
    "r": ("--vanilla", "--no-save", "--save", "--no-restore", "--restore", "--no-environ",
          "--no-site-file", "--no-init-file", "--quiet", "--silent", "--slave", "--no-echo",
          "--verbose", "--version", "--help", "--no-readline", "--interactive"),
}


def may_take_next(kind: str, letters: str) -> bool:
    """Whether the last of a cluster's `letters` (none of which took a value by the tables of
    `interpreter_cluster`) may take the next word: it is not one of `_SHORT_FLAGS` (awk's
    program is its first operand: never)."""
    return kind != "awk" and bool(letters) and letters[-1] not in _SHORT_FLAGS.get(kind, "")


def long_option_kind(kind: str, head: str) -> str:
    """"value" (takes the next word), "flag", or "unknown" for an interpreter's long option."""
    if head in _LONG_VALUES.get(kind, ()):
        return "value"
    # `--no-` stands for every option it starts; `-J` (one letter) for its value attached
    if any(head == f or ((f.endswith("-") or len(f) == 2) and head.startswith(f))
           for f in _LONG_FLAGS.get(kind, ())):
        return "flag"
    return "unknown"
# Programs that load their files, then read more code from stdin (a prompt), unless one of these
# options makes them stop first (`sbcl --script FILE`, `erl -noshell`, `ghci -e EXPR`).
_REPL_ENDS = {"sbcl": ("--script", "--non-interactive"), "ecl": ("--shell", "-shell"),
              "swipl": ("-g halt", "-t halt", "--script"), "erl": ("-noshell", "-noinput"),
              "ghci": ("-e",), "kotlinc": ("-script",), "kotlin": ("-script",), "clojure": ("-M",),
              "clj": ("-M",), "bb": ("-e", "--eval", "-f", "--file"), "csi": ("-s", "-script", "-e"),
              "gosh": (), "gforth": ("-e bye",), "iex": (), "groovysh": (), "chez": ("--script",),
              "scheme": ("--script",), "jrunscript": ("-e", "-f")}
# The options of `_REPL_ENDS` whose value is the script file: given last, with no file after
# them, the script is read from stdin (`sbcl --script`: attack S, finding 9).
_SCRIPT_OPTIONS = frozenset({"--script", "-script", "--shell", "-shell", "-s"})
# deno's and bun's subcommands that run a program file, and those that read one from stdin.
_RUNNER_SUBCOMMANDS = {"run": "file", "repl": "stdin"}
_REPL_MODULES = frozenset({"pdb", "code", "IPython", "ptpython", "bpython", "idlelib",
                           "asyncio"})  # `python3 -m asyncio`: a REPL on stdin (attack M)
# python modules that run the script a later word names (`-m cProfile /dev/stdin`: attack O),
# doctest's examples and pickle's loads (which call what the pickle names) included.
_SCRIPT_MODULES = frozenset({"cProfile", "profile", "trace", "runpy", "pdb", "doctest", "pickle"})
# Programs whose program an option names (`_Collector._program_option`): the letters and long
# names of those options, and the program's other short options that take an argument.
_PROGRAM_OPTIONS = {
    "sed": ("f", frozenset({"--file"}), "el"),
    "awk": ("f", frozenset({"--file"}), "vF"),
    "gawk": ("fEi", frozenset({"--file", "--exec", "--include"}), "vFl"),
    "make": ("f", frozenset({"--file", "--makefile"}), "CEIjloOW"),
    # found after outside attack M: build files and scripts read from the file an option names
    "ninja": ("f", frozenset(), "CjklndtwE"),
    "cmake": ("P", frozenset(), "CDUGTAS"),
}
_PROGRAM_FAMILY = {"mawk": "awk", "nawk": "awk", "busybox-awk": "awk", "gmake": "make",
                   "bmake": "make", "pmake": "make"}


def shell_name(name: str) -> str | None:
    """The shell among SHELLS that a command named `name` runs (`bash` for
    /usr/local/bin/bash5.2), or None."""
    base = name.rsplit("/", 1)[-1]
    if base in SHELLS:
        return base
    versioned = _VERSIONED.fullmatch(base)
    return versioned.group(1) if versioned and versioned.group(1) in SHELLS else None


# Constructs of other shells' grammars that run code where bash would read a plain word.
_FOREIGN = {
    # zsh: glob qualifiers `*(e:'cmd':)` and `(+func)`, `=(cmd)` process substitution,
    # parameter flags `${(e)x}` (e evaluates), `${~x}` `${=x}` `${^x}`, `$~x`, `=cmd`
    # expansion, `repeat N cmd`, `foreach`, the `-` precommand modifier, `sched`.
    "zsh": re.compile(
        r"[^\s$<>;&|(]\((?!\))|=\(|\$\{[(~=^+]|\$[~=^]|(^|[\s;&|(])=[A-Za-z_/]"
        r"|(^|[;&|(\n]\s*)(repeat|foreach|sched|-)(\s|$)"
    ),
    # ksh93 and mksh: `${ cmd;}` and `${|cmd;}` run commands in the current shell.
    "ksh": re.compile(r"\$\{[\s|]"),
}
_FOREIGN["mksh"] = _FOREIGN["lksh"] = _FOREIGN["pdksh"] = _FOREIGN["oksh"] = _FOREIGN["ksh"]


def _foreign(shell: str, code: str) -> str | None:
    """Why code given to `shell` holds constructs outside bash's grammar, or None."""
    if shell in _BASH_GRAMMAR:
        return None
    pattern = _FOREIGN.get(shell)
    if pattern is None:
        return f"code in {shell}'s grammar, which the policy does not read"
    if pattern.search(code):
        return f"{shell} syntax that bash does not have"
    return None
