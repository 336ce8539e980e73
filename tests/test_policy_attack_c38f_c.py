"""Attack c38f, findings 5, 6, 9, 10, 14 and 15: sqlite's quoted names glued to a keyword
(`select[writefile](`, `VACUUM[main]INTO`), /proc and descriptor path spellings (`.`, `..`, a
bash pattern in the /proc part, `/dev/fd/..`), a descriptor moved or named, the folder `cd`
goes to, and a descriptor opened on a folder by an earlier typed line. Judged as the gates
judge them: typed and as an exec command. Honest lines beside them still run."""

from tests.policy_rows import assert_held_or_runs
from tests.rows import each

SUDO = "'/etc/sudoers.d/x','ALL ALL=(ALL) NOPASSWD:ALL'"
# (line, held): held means denied or confirmed typed and as an exec command; not held: allowed
ROWS = [
    # finding 5: a quoted name glued to a keyword is a token of its own
    *((f'sqlite3 /tmp/db "select{name}({SUDO})"', True) for name in (
        '\\"writefile\\"', "[writefile]", "\\`writefile\\`", " [writefile]", "[writefile] ")),
    (f"sqlite3 /tmp/db <<< \"select[writefile]({SUDO})\"", True),
    *((f"sqlite3 /tmp/db \"VACUUM{spelling}'/etc/sudoers.d/x'\"", True) for spelling in (
        "[main]INTO", "[main] INTO ", ' \\"main\\"INTO ', '\\"main\\"INTO', "`main`INTO".replace(
            "`", "\\`"), "[main]/**/INTO")),
    ("sqlite3 /tmp/db \"select[load_extension]('/tmp/x.so')\"", True),
    # honest: quoted names in ordinary queries
    ('sqlite3 /tmp/db "select[name]from[users]"', False),
    ('sqlite3 /tmp/db "select\\"a\\".\\"b\\" from\\"t\\""', False),
    ("sqlite3 /tmp/db 'VACUUM'", False), ("sqlite3 /tmp/db \"VACUUM INTO '/tmp/copy.db'\"", False),
]


@each(("line", "held"), ROWS)
def test_c38f_c_lines(default_policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)
