"""The database and cluster shells that are command languages for their stdin only (found after
outside attack y34f, finding 2).

Rounds t29f and v31o listed them in `readers._COMMAND_LANGUAGES`, so that an exec channel's
stdin fed to them is held; that made them "read", and no reader read the commands they are
given on the line (`duckdb -c '.shell rm -rf /etc'`, `mycli -e 'system …'`, `beeline -e '!sh …'`,
`clickhouse-local -q "… INTO OUTFILE '/etc/…'"`, `vsql -o FILE`). Their words are now judged as
psql's and mysql's are (`unread._WRITE_UNREAD`): every file a word names may be written, a word
that is shell code is judged as code; and `commands_given` reads their own commands on the
line: a shell escape's command judged as shell code, a dot or backslash command that writes
its file judged as that write (sqlite3's dot commands read as sqlite3's), and any other client
command, or a function that runs a program (ClickHouse's `executable`), unknown."""

from __future__ import annotations

import re
from collections.abc import Callable

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.sql_targets import setting_targets, written_targets
from bastion.command_control.policy.words import _Word

DB_SHELLS = frozenset({
    "duckdb", "litecli", "sqlite", "mycli", "mysqlsh", "pgcli", "usql", "vsql", "nzsql",
    "edb-psql", "beeline", "sqlline", "hive", "impala-shell", "isql-fb", "isql", "tsql", "osql",
    "sqsh", "bteq", "snowsql", "cqlsh", "clickhouse-client", "clickhouse-local", "clickhouse",
    "arangosh", "sql", "sqlcmd",
})  # fmt: skip
# The shells built on sqlite3's (their dot commands are sqlite3's: .shell, .system, .output...)
SQLITE_LIKE = frozenset({"duckdb", "litecli", "sqlite"})
# The options that give commands (any of the clients': generous, a host or database name is
# never read as one of the signs below).
_GIVEN = frozenset({"-c", "--command", "-e", "--execute", "-q", "--query", "-Q", "-s", "--sql",
                    "-cmd", "--cmd", "-C", "--eval", "--init-command", "-n", "--multiquery"})
# A shell escape at a statement's start, and the command it runs: psql's kin and sqsh `\!`,
# mycli's `system`, impala-shell's `shell`, beeline's and sqlline's `!sh`/`!system`, snowsql's
# `!system`; hive's `!CMD;` (any other `!` command is also unknown: `!connect`, `!run FILE`).
_BANG_SHELL = re.compile(r"(?is)!\s*(?:sh|shell|system)\b(.*)")
_WORD_SHELL = re.compile(r"(?is)(?:system|shell)\s+(\S.*)")
# A client command the policy does not read: a backslash, bang or dot command, and mysql's
# and mycli's named ones (tee, pager, edit, source...), cqlsh's CAPTURE and SOURCE, snowsql's
# spool: unknown (they write files, run programs or read commands from files).
_CLIENT = re.compile(r"(?i)\s*(\\|!|\.(?!\d)|(tee|pager|edit|source|capture|spool|nopager|notee)\b)")
# SQL that writes a file on the host the client runs on (COPY … TO, INTO OUTFILE/DUMPFILE,
# EXPORT DATABASE, ClickHouse's `file(` table function, ATTACH of a database file: each quoted
# absolute path written), or runs a program or a library (ClickHouse's `executable`, DuckDB's
# INSTALL/LOAD of an extension, COPY … TO PROGRAM): unknown.
_SQL_WRITES = re.compile(r"(?is)\bcopy\b.*\bto\b|\binto\s+(outfile|dumpfile)\b|\bexport\s+database\b"
                         r"|\bfile\s*\(|^\s*attach\b|\bvacuum\b.*\binto\b|\bwritefile\s*\(")
# DuckDB's (and sqlite's) settings, some of which write files (`SET log_query_path=…`: a36f, 22)
_SQL_SETS = re.compile(r"(?is)^\s*(set|pragma)\b")
_SQL_SETS_ANY = re.compile(r"(?im)(^|;)\s*(set|pragma)\b")
_SQL_RUNS = re.compile(r"(?is)\bexecutable(pool)?\s*\(|^\s*(force\s+)?(install|load)\b|\bto\s+program\b")
_QUOTED_PATH = re.compile(r"""['"](/[^'"]*|~[^'"]*)['"]""")


class Given:
    """What a database shell's words given on the line do: shell code to judge (None: known
    only at run time), files written, and a reason the rest cannot be read ("" if none)."""

    __slots__ = ("codes", "unknown", "written")

    def __init__(self) -> None:
        self.codes: list[str | None] = []
        self.written: list[PathArg] = []
        self.unknown = ""


def commands_given(name: str, words: list[_Word], sqlite_dot: Callable[
        [str], tuple[list[PathArg], list[str | None], list[str]]]) -> Given:
    """Read the commands `name` (of DB_SHELLS) is given on the line: each option value of
    _GIVEN, and every other word too (an SQL operand: `duckdb x.db '.shell …'`), the signs
    read being no host, user or database name. `sqlite_dot` reads one dot command of the
    sqlite3 family (program_writes._sqlite_dot)."""
    given = Given()
    for index, word in enumerate(words[1:], start=1):
        value = word.value
        if value is None:
            before = words[index - 1].value or ""
            if before in _GIVEN or before.partition("=")[0] in _GIVEN or \
                    (before.startswith("-") and len(before) > 2 and before[-1] in "ceqQC"):
                given.unknown = f"{name} commands known only at run time"
            continue
        texts = [value]
        if value.startswith("-") and "=" in value:
            texts.append(value.partition("=")[2])  # `--command=SQL`
        if value.startswith("-") and not value.startswith("--") and len(value) > 2:
            texts.append(value[2:])  # `-c.shell CMD`: a short option's attached value
        for text in texts:
            for line in text.splitlines() or [text]:
                for statement in [line, *line.split(";")[1:]]:
                    _statement(name, statement, given, sqlite_dot)
            if len(text.strip().splitlines()) > 1 and (_SQL_WRITES.search(text)
                                                        or _SQL_SETS_ANY.search(text)):
                _whole(name, text, given)
    return given


def _whole(name: str, text: str, given: Given) -> None:
    """A text of several lines read whole as well (attack a36f, finding 5): a string goes on
    across a newline (`'/e'<NL>'tc/x'` is one), so a target is read from the statements the
    text holds, its client commands' lines left out."""
    sql = re.sub(r"(?m)^[ \t]*[.\\!].*$", ";", text)
    targets, unreadable = written_targets(sql)
    settings, unset = setting_targets(sql)
    given.written += [_path_arg(_Word(p, p), p, p.startswith("~")) for p in targets + settings]
    if unreadable or unset:
        given.unknown = f"{name} writes a file the policy cannot name"


def _statement(name: str, statement: str, given: Given, sqlite_dot: Callable[
        [str], tuple[list[PathArg], list[str | None], list[str]]]) -> None:
    stripped = statement.lstrip()
    if name in SQLITE_LIKE and stripped.startswith("."):
        written, codes, reads = sqlite_dot(stripped)
        given.written += written
        given.codes += codes
        if reads:
            given.unknown = f"{name} reads commands from a file the line names"
        return
    bang, word = _BANG_SHELL.fullmatch(stripped), _WORD_SHELL.fullmatch(stripped)
    if stripped.startswith("\\!"):
        given.codes.append(stripped[2:].strip() or None)
    elif bang is not None or word is not None:
        given.codes.append(((bang or word).group(1)).strip() or None)  # type: ignore[union-attr]
    elif stripped.startswith("!"):
        given.codes.append(stripped[1:].strip().rstrip(";") or None)  # hive's `!CMD;`
        given.unknown = f"{name} commands that may run programs or write files"
    elif _CLIENT.match(stripped) or _SQL_RUNS.search(stripped):
        given.unknown = f"{name} commands that may run programs or write files"
    elif _SQL_SETS.match(stripped):
        targets, unreadable = setting_targets(stripped)
        given.written += [_path_arg(_Word(p, p), p, p.startswith("~")) for p in targets]
        if unreadable:
            given.unknown = f"{name} settings that may write a file the policy cannot name"
    elif _SQL_WRITES.search(stripped):
        # the files it names are written (`COPY t TO '/tmp/t.csv'` runs); none: unknown
        # (and the targets by the statement's grammar, however quoted, relative ones from the
        # working folder; a target not read so: unknown, whatever else the line names: z35f, 4)
        targets, unreadable = written_targets(stripped)
        paths = [m.group(1) for m in _QUOTED_PATH.finditer(stripped)]
        paths += [t for t in targets if t not in paths]
        given.written += [_path_arg(_Word(p, p), p, p.startswith("~")) for p in paths]
        if not paths or unreadable:
            given.unknown = f"{name} writes a file the policy cannot name"
