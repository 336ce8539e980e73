"""Prompts that read code from the line's standard input under a verb, a script or a module
name rather than an interpreter's own name (found after outside attacks u30f, finding 12, and
u30o, finding 2): `crystal eval`, `guix repl`, `dotnet fsi`, `node inspect FILE`, the framework
consoles (`python3 manage.py shell`, `django-admin shell`, `flask shell`, `rails console`,
`php artisan tinker`, `wp shell`, `hbase shell`, `sbt console`, `lein repl`, `cabal repl`...),
the standard library's prompts given by their file (`python3 /usr/lib/python3.11/code.py`,
`-m trace --count .../code.py`), other debuggers' modules (`-m ipdb`), `ruby -rdebug`, the CPAN
shell (`perl -MCPAN -e shell`).

`verb_reader` answers "interpreter" for those (an exec channel's stdin is then their program:
held as `python3`'s is, text piped in is `|` and unknown), "program" for a program no table
reads whose first operand is a prompt's verb (`mytool console`, `poetry shell`: its first data
on an exec channel is held, bastion.ssh.fed_gate), else "". The reading is naive on purpose:
options are skipped as flags, so a word that is an option's value may be taken for the verb
(more held, never fewer); and, since an option before the script or the verb may take the next
word as its value (`python3 -W ignore manage.py shell`, `php -d x=1 artisan tinker`, `flask
--app app shell`, `dlv --init F debug`: attack x33f, finding 11), each operand that follows an
option's possible value is tried as the script or the verb too (`operand_starts`)."""

from __future__ import annotations

import re
from collections.abc import Collection

from bastion.command_control.policy.paths import _descriptor_file
from bastion.command_control.policy.python_names import package_of_script
from bastion.command_control.policy.python_runners import python_module
from bastion.command_control.policy.shells import INTERPRETERS
from bastion.command_control.policy.verb_patterns import may_match
from bastion.command_control.policy.words import _Word

# Programs whose verb (their first operand) starts a prompt reading code from stdin: "always",
# or "bare" (only when no other operand follows: `crystal eval CODE` and `dotnet fsi x.fsx`
# take their program on the line, `crystal eval` and `dotnet fsi` read it from stdin), or
# "stdin" (a verb running the file a later operand names, stdin when it is `-` or a descriptor's
# file: `rails runner -`, `wp eval-file -`, `drush php:script -`: attack z35f, finding 12).
_VERBS: dict[str, dict[str, str]] = {
    "crystal": {"eval": "bare", "i": "bare", "interactive": "bare"},
    "guix": {"repl": "bare"},
    "dotnet": {"fsi": "bare", "repl": "always", "script": "bare", "csi": "bare"},
    "node": {"inspect": "always", "debug": "always"},
    "nodejs": {"inspect": "always", "debug": "always"},
    "django-admin": {"shell": "always", "dbshell": "always", "shell_plus": "always"},
    "django-admin.py": {"shell": "always", "dbshell": "always", "shell_plus": "always"},
    "flask": {"shell": "always"},
    "rails": {"console": "always", "c": "always", "dbconsole": "always", "db": "always",
              "runner": "stdin", "r": "stdin"},
    "rake": {"console": "always"},
    "hanami": {"console": "always", "c": "always", "db": "always"},
    "padrino": {"console": "always", "c": "always"},
    "wp": {"shell": "always", "db": "always", "eval-file": "stdin"},
    "drush": {"php": "always", "php-cli": "always", "core:cli": "always", "cli": "always",
              "sql-cli": "always", "sqlc": "always", "sql:cli": "always",
              "php:cli": "always", "core-cli": "always", "php:script": "stdin",
              "php-script": "stdin", "scr": "stdin"},
    "hbase": {"shell": "always"},
    "sbt": {"console": "always", "consoleQuick": "always", "consoleProject": "always"},
    "lein": {"repl": "always"},
    "cabal": {"repl": "always", "v2-repl": "always", "new-repl": "always", "v1-repl": "always"},
    "stack": {"ghci": "always", "repl": "always"},
    "scala-cli": {"repl": "always"},
    "spago": {"repl": "always"},
    "pulp": {"repl": "always"},
    "elm": {"repl": "always"},
    "swift": {"repl": "always"},
    "nim": {"secret": "always"},
    "v": {"repl": "always"},
    "nix": {"repl": "always"},
    "rebar3": {"shell": "always"},
    "mix": {"shell": "always", "run": "stdin"},
    "bundle": {"console": "always"},
    "jupyter": {"console": "always"},
    # Delve's prompt reads commands from stdin (`call` runs the debuggee's functions)
    "dlv": dict.fromkeys(("debug", "exec", "attach", "core", "test", "connect", "trace"), "always"),
    "ipython": {"console": "always"}, "ipython3": {"console": "always"},
    # database and cluster shells under a verb (attack v31o, finding 5): the running node's
    # Erlang shell (`os:cmd(...)`), ClickHouse's client and local engine (`INTO OUTFILE`),
    # CockroachDB's SQL shell (`\\! CMD`)
    "riak": dict.fromkeys(("attach", "attach-direct", "console", "remote_console"), "always"),
    "clickhouse": {"client": "always", "local": "always"},
    "cockroach": {"sql": "always", "demo": "always"},
}
_PATTERN = re.compile(r"[*?\[]")
# Scripts run by an interpreter (or by their own name) whose verb starts a prompt.
_SCRIPTS: dict[str, dict[str, str]] = {
    "manage.py": _VERBS["django-admin"], "django-admin.py": _VERBS["django-admin"],
    "artisan": {"tinker": "always", "db": "always"}, "rails": _VERBS["rails"],
    "rake": _VERBS["rake"], "console": {"psysh": "always"}, "hbase": _VERBS["hbase"],
    "wp-cli.phar": _VERBS["wp"], "wp": _VERBS["wp"], "drush": _VERBS["drush"],
    "drush.php": _VERBS["drush"], "flask": _VERBS["flask"],
}
# Symfony Console programs: their verbs taken by any unambiguous start (`php artisan tink`).
_SYMFONY = (_SCRIPTS["artisan"], _VERBS["drush"], _SCRIPTS["console"])
# Programs that are such a prompt whatever their words (`dotnet-fsi`, mono's `fsharpi`).
_PROMPTS = frozenset({"fsi", "fsharpi", "dotnet-fsi", "dotnet-repl", "dotnet-script", "psysh",
                      "tinker", "ipdb", "ipdb3", "pudb", "pudb3", "trepan3k", "trepan2", "ptipython",
                      "jupyter-console", "bashdb", "zshdb", "kshdb", "remake",
                      # Spark's shells: Scala, Python, R and Hive's SQL with `!cmd` (v31o, 5)
                      "spark-shell", "pyspark", "sparkR", "spark-sql",
                      # numeric and algebra systems whose prompt runs shell commands (`!cmd`,
                      # `unix_g`, `Exec`, `os.system`)
                      "matlab", "scilab", "scilab-cli", "gap", "sage"})
# A verb that usually starts a prompt, given to a program no table reads (`mytool console`).
_PROMPT_VERBS = frozenset({"shell", "console", "repl", "dbshell", "dbconsole", "shell_plus",
                           "tinker", "psysh", "ghci", "fsi", "irb", "pry", "eval", "interactive"})
# python modules and their files that are prompts reading stdin (as `-m pdb`, `-m code` are).
_PY_PROMPTS = frozenset({"code", "pdb", "ipdb", "pudb", "trepan", "IPython", "ptpython",
                         "bpython", "idlelib", "asyncio", "ptipython", "jupyter_console", "pdbpp"})
# python modules that are framework command lines (`python3 -m django shell`).
_PY_FRAMEWORKS = {"django": _VERBS["django-admin"], "flask": _VERBS["flask"],
                  "jupyter": _VERBS["jupyter"], "IPython": {}}
# a package's folder or __main__.py given as python's script runs it (attack z35f, finding 5)
_PY_PACKAGES = _PY_PROMPTS | frozenset(_PY_FRAMEWORKS)
# ruby's libraries that start a debugger reading stdin when loaded (`ruby -rdebug x.rb`).
_RUBY_DEBUG = re.compile(r"debug(/start|/open)?|byebug(/core)?|pry|irb|ruby-debug|rdbg")
# perl's shells reached by a module (`perl -MCPAN -e shell`).
_PERL_SHELLS = frozenset({"CPAN", "CPANPLUS", "CPAN::Shell", "CPANPLUS::Shell"})


def _operands(words: list[str]) -> list[str]:
    """The words that are no option (naive: every option is read as a flag)."""
    return [w for w in words if not w.startswith("-") or w == "-"]


def _abbreviates(word: str, verb: str) -> bool:
    """Symfony Console's abbreviations: each `:` part of `word` starts the verb's (`tink`,
    `p:c` for php:cli); a part-wise start of one verb is taken for it, unique or not."""
    parts, names = word.split(":"), verb.split(":")
    return len(parts) == len(names) and all(p and n.startswith(p) for p, n in zip(parts, names, strict=True))


def _matching(word: str, verbs: Collection[str]) -> list[str]:
    """The verbs `word` is: itself, or each a pattern may become (`shel[l]`, `c*`: attack
    x33f, finding 1; a quoted one too, read as generously); for a Symfony Console program
    (artisan, drush) each verb it abbreviates (attack z35f, finding 12)."""
    if word in verbs:
        return [word]
    if any(verbs is table for table in _SYMFONY) and not word.startswith("-"):
        starts = [v for v in verbs if _abbreviates(word, v)]
        if starts:
            return starts
    return [v for v in verbs if may_match(word, v)] if _PATTERN.search(word) else []


def operand_starts(words: list[str]) -> list[list[str]]:
    """The operands read from each place the first operand may be: the first word that is no
    option, and each later one while every operand before it directly follows an option (so
    may be that option's value: `-W ignore manage.py shell` gives `ignore manage.py shell`
    and `manage.py shell`)."""
    operands = _operands(words)
    found = [operands] if operands else []
    index = 0
    for at, word in enumerate(words):
        if word.startswith("-") and word != "-":
            continue
        previous = words[at - 1] if at else ""
        if not previous.startswith("-") or previous in ("-", "--") or "=" in previous:
            break  # this operand is no option's value: the ones after it are operands
        index += 1
        if operands[index:]:
            found.append(operands[index:])
    return found


def _any_verb(table: dict[str, str], words: list[str]) -> str:
    """`_verb` from each place the first operand may be (`operand_starts`)."""
    return next((v for v in (_verb(table, ops) for ops in operand_starts(words)) if v), "")


def _may_be_stdin(word: str) -> bool:
    """A file operand that is stdin: `-`, a descriptor's file, or a word known only at run
    time (`"$(cat)"`: the code stdin holds, `$f`)."""
    return word == "-" or _descriptor_file(word) is not None or "$" in word or "`" in word


def _verb(table: dict[str, str], operands: list[str]) -> str:
    """"interpreter" when the first operand is a prompt's verb of `table`."""
    found = _matching(operands[0], table) if operands else []
    if not found:
        return ""
    always = any(table[v] == "always" for v in found) or (any(
        table[v] == "stdin" for v in found) and any(_may_be_stdin(w) for w in operands[1:]))
    bare = any(table[v] == "bare" for v in found)
    return "interpreter" if always or (bare and (len(operands) == 1 or operands[1] == "-")) else ""


def _base(word: str) -> str:
    return word.rstrip("/").rsplit("/", 1)[-1]


def _interpreted(family: str, words: list[str]) -> str:
    """The prompts an interpreter (`family`, INTERPRETERS' group) runs by a script, a module
    or a library."""
    if family == "python":
        # python's `-m` read as python reads it, clustered too (`-Emdjango shell`, `-Im ipdb`:
        # attack z35f, finding 6), by the module's plain name (`django.__main__`: finding 5)
        found_module = python_module([_Word(w, w) for w in ("python", *words)])
        if found_module is not None and found_module[0].value is not None:
            module = found_module[0].value
            framework = _PY_FRAMEWORKS.get(module)
            verb = _any_verb(framework, [w.value or "" for w in found_module[1]]) \
                if framework is not None else ""
            if module in _PY_PROMPTS or verb:
                return "interpreter"
        ended = False  # python's own options end at its first `-m` or script
        valued = False  # the word is the value of `-W`, `-X` (`-W ignore -m django shell`)
        for index, word in enumerate(words):
            if valued:
                valued = False
                continue
            if not ended and word[:1] == "-" and word[1:2] != "-" and word[-1:] in "WXQ":
                valued = True
                continue
            if not ended and (word.startswith("-m") or not word.startswith("-")):
                ended = True
                module = word[2:] or (words[index + 1] if index + 1 < len(words) else "") \
                    if word.startswith("-m") else package_of_script(word, _PY_PACKAGES) or ""
                if module in _PY_PROMPTS:
                    return "interpreter"
                framework = _PY_FRAMEWORKS.get(module)
                if framework is not None:
                    return _any_verb(framework, words[index + (1 if word[2:] else 2):])
            base = _base(word)
            if base.endswith((".py", ".pyc")) and base.rsplit(".", 1)[0] in _PY_PROMPTS:
                return "interpreter"  # `python3 .../code.py`, `-m trace --count .../code.py`
    if family == "ruby" and any(
            _RUBY_DEBUG.fullmatch(w[2:] or (words[i + 1] if i + 1 < len(words) else ""))
            for i, w in enumerate(words) if w.startswith("-r")):
        return "interpreter"
    if family == "perl" and any(w.startswith("-M") and w[2:].split("=")[0] in _PERL_SHELLS
                                for w in words):
        return "interpreter"
    if family not in ("python", "php", "ruby", "node"):
        return ""
    found = ""
    for operands in operand_starts(words):
        table = _SCRIPTS.get(_base(operands[0]))
        if table is not None:
            # the script's own options before its verb too (`artisan --env production tinker`)
            found = _any_verb(table, words[words.index(operands[0]) + 1:]) or found
        elif family == "node":
            found = _verb(_VERBS["node"], operands) or found
        elif len(operands) > 1 and _matching(operands[1], _PROMPT_VERBS):
            found = found or "program"  # `python3 tool.py shell`
        if found == "interpreter":
            break
    return found


def verb_reader(name: str, argv: tuple[str, ...], unread: bool) -> str:
    """"interpreter" when the command (`name`, its words `argv`) starts a prompt that reads
    code from stdin under a verb, a script or a module; "program" when a program no table reads
    (`unread`) is given a prompt's verb; else ""."""
    words = list(argv[1:])
    if "spring" in (name, _base(argv[0])) and words[:1] in (["rails"], ["rake"]):
        return verb_reader(words[0], argv[1:], unread)  # Rails' preloader (attack z35f, 12)
    if name in _PROMPTS:
        return "interpreter"
    operands = _operands(words)
    if name in _VERBS:
        found = _any_verb(_VERBS[name], words)
        if found:
            return found
    family = INTERPRETERS.fullmatch(name)
    if family is not None and family.lastgroup:
        return _interpreted(family.lastgroup, words)
    if name in _SCRIPTS or _base(argv[0]) in _SCRIPTS:
        found = _any_verb(_SCRIPTS.get(name) or _SCRIPTS[_base(argv[0])], words)
        if found:
            return found
    if unread and operands and _matching(operands[0], _PROMPT_VERBS):
        return "program"
    return ""
