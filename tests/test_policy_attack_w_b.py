"""Outside attack W, findings 5 to 8 (and 14's gawk and m4): programs the policy's tables read,
read with the wrong grammar. Each table has an attack half (the line is denied or held, with the
shipped policy) and an honest half (everyday lines of the same program stay allowed)."""

from __future__ import annotations

from bastion.command_control.policy import evaluate
from bastion.command_control.policy.editors import _vim_parts
from bastion.command_control.policy.git_options import _git_operands
from bastion.command_control.policy.program_writes import _sqlite_arguments, _sqlite_file
from bastion.command_control.policy.scripts import _sed_effects
from bastion.command_control.policy.words import _Word
from tests.rows import each
from tests.test_policy import action

S = "/etc/sudoers.d/x"


@each(("script", "writes", "runs"), [
    # GNU sed 4.9 ends a label at a blank or `;` and reads the next command right after it
    (":a;w F", ["F"], []),
    (":a w F", ["F"], []),
    (":a\nw F", ["F"], []),
    ("b x w F", ["F"], []),
    ("bx;w F", ["F"], []),
    ("t;w F", ["F"], []),
    ("T x\nw F", ["F"], []),
    ("v 4.2 w F", ["F"], []),
    (":a;1e touch C", [], ["touch C"]),
    ("$!{:x;w F\n}", ["F"], []),
    # text of a, i, c runs to a newline no backslash escapes; a one-line text ends the script
    ("a\\\nfoo\nw F", ["F"], []),
    ("a foo\\\nw F", [], []),
    ("a foo;w F", [], []),
    ("1i\\\nx\\\ny\np", [], []),
    # the everyday idioms
    (":a;N;$!ba;s/\\n/ /g", [], []),
    ("s/a/b/g", [], []),
    ("/^#/d;s/x/y/w out", ["out"], []),
    ("s/a/b/e", [], [None]),
])
def test_sed_script_is_read_as_gnu_sed_compiles_it(script, writes, runs):
    assert _sed_effects(script) == (writes, runs)


@each(("line", "expected"), [
    # finding 5: a label before a command hid it
    (f"sed -n ':a;w {S}' /tmp/IN", "deny"),
    (f"sed -n ':a;1e touch {S}' /tmp/IN", "deny"),
    ("sed ':x;w /etc/shadow' /tmp/IN", "deny"),
    ("sed -n 'b x w /etc/shadow' /tmp/IN", "deny"),
    ("sed -n 'v 4.2 w /etc/shadow' /tmp/IN", "deny"),
    ("sed -n '/x/ba;:a;w /etc/shadow' /tmp/IN", "deny"),
    ("sed -n 'a\\\nfoo\nw /etc/shadow' /tmp/IN", "deny"),
    # -e or -f anywhere: every operand is a file (GNU getopt permutes)
    (f"sed -n /tmp/IN -e 'w {S}'", "deny"),
    (f"sed -n x -e '1e touch {S}' /tmp/F", "deny"),
    ("sed -s -n -e p /tmp/IN --expression='w /etc/shadow'", "deny"),
    ("sed -n /tmp/IN --expr 'w /etc/shadow'", "deny"),
    ("sed -n /tmp/IN -ne 'w /etc/shadow'", "deny"),
    # -e scripts are joined with newlines: a regex cannot span them, `a\` may
    ("sed -n -e '/x' -e '/w /etc/shadow' /tmp/IN", "deny"),
    ("sed -e 'a\\' -e 'w /etc/shadow' /tmp/IN", "deny"),
    # gawk and m4 (finding 14): in-place editing by any spelling, and the files options write
    ("gawk --include=inplace '{print}' /etc/shadow", "deny"),
    ("gawk --incl inplace '{print}' /etc/shadow", "deny"),
    ("gawk -e '{print}' -i inplace /etc/shadow", "deny"),
    ("awk --include=inplace '{print}' /etc/shadow", "deny"),  # awk may be gawk
    (f"gawk -o{S} 'BEGIN{{}}'", "deny"),
    (f"gawk --pretty-print={S} 'BEGIN{{}}'", "deny"),
    (f"gawk -p{S} 'BEGIN{{}}'", "deny"),
    (f"gawk --prof={S} 'BEGIN{{}}'", "deny"),
    (f"gawk -d{S} 'BEGIN{{}}'", "deny"),
    (f"gawk --dump-var={S} 'BEGIN{{}}'", "deny"),
    ("cd /etc/sudoers.d && gawk -d 'BEGIN{}'", "deny"),  # awkvars.out in the folder
    ("gawk -W dump-variables=/etc/shadow 'BEGIN{}'", "confirm"),
    (f"m4 --debugfile={S} /dev/null", "deny"),
    (f"m4 -o {S} /dev/null", "deny"),
    (f"m4 --error-output={S} /dev/null", "deny"),
    (f"m4 -F {S} /dev/null", "deny"),
    # honest halves
    ("sed ':a;N;$!ba;s/\\n/ /g' /tmp/IN", "allow"),
    ("sed -n '$p' /etc/passwd", "allow"),
    ("sed 's/a/b/' /tmp/IN -e 's/c/d/'", "allow"),
    ("sed -n -e '/^root:/p' /etc/passwd", "allow"),
    ("sed -i 's/a/b/' /srv/app/config", "allow"),
    ("gawk -F: '{print $1}' /etc/passwd", "allow"),
    ("awk '{print $1}' /etc/passwd", "allow"),
    ("awk -F, -v OFS=, 'NR>1{print $2}' /srv/data.csv", "allow"),
    ("gawk -v x=1 -f /tmp/p.awk /etc/passwd", "allow"),
    ("gawk -i inplace '{print}' /srv/app/config", "allow"),
    ("m4 --debugfile /etc/hostname", "allow"),  # its value is attached only: a file read
    ("m4 -DX=1 /tmp/in.m4", "allow"),
])
def test_sed_gawk_and_m4_writes_are_judged(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 6: -c with its command attached, in a cluster, every spelling, every vim name
    (f"vim -es -u NONE -c'!touch {S}' -c'qa!'", "deny"),
    (f"vim -esc'!touch {S}'", "deny"),
    (f"vim -Nc '!touch {S}'", "deny"),
    (f"vim --cmd '!touch {S}'", "deny"),
    (f"vim '+!touch {S}'", "deny"),
    (f"ex -sc'!touch {S}'", "deny"),
    (f"editor '+!touch {S}'", "deny"),
    (f"sensible-editor -c '!touch {S}'", "deny"),
    (f"gvim -c '!touch {S}'", "deny"),
    (f"evim '+!touch {S}'", "deny"),
    (f"rgview -c'!touch {S}'", "deny"),
    (f"vim.tiny -c'!touch {S}'", "deny"),
    (f"nvim --headless -c'!touch {S}'", "deny"),
    ("vim -c'r !id' f", "confirm"),  # any other ex command may run or write
    # options that write a file, source one that may be the line's stdin, or talk to another vim
    (f"vim -W {S} f", "deny"),
    (f"vim -w {S} f", "deny"),
    (f"vim -i {S} f", "deny"),
    (f"vim -V20{S} f", "deny"),
    (f"vim --startuptime {S} f", "deny"),
    ("vim --remote-send ':!id<CR>'", "confirm"),
    ("vim -S /dev/stdin f", "confirm"),
    ("vim -s /dev/stdin f", "confirm"),
    ("vim -k f", "confirm"),  # a letter the table does not know
    # a pager's +cmd (pager is often less)
    (f"pager '+!touch {S}' /etc/hostname", "confirm"),
    (f"more '+!touch {S}' /etc/hostname", "confirm"),
    # honest halves
    ("vim -R /etc/hosts", "allow"),
    ("vim +10 /etc/hosts", "allow"),
    ("vim +/pat /etc/hosts", "allow"),
    ("vim -O a b", "allow"),
    ("vim -p a b", "allow"),
    ("vim -d a b", "allow"),
    ("vim -u NONE -i NONE -N f", "allow"),
    ("vim -w40 f", "allow"),
    ("vim -V9 f", "allow"),
    ("vim -es -c 'set nu' f", "allow"),
    ("vim -- -c f", "allow"),  # after --, only files
    ("editor /etc/hosts", "allow"),
    ("pager /var/log/syslog", "allow"),
    ("less +G /var/log/syslog", "allow"),
    ("more +10 /etc/hosts", "allow"),
])
def test_vim_command_line_is_read_as_vim_reads_it(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each("interactive", [False, True])
def test_vim_attached_command_is_denied_with_or_without_a_terminal(default_policy, interactive):
    # With a pty the exec channel lets an editor read the keyboard (typed_at_a_terminal); the
    # command on its line is judged all the same.
    verdict = evaluate(default_policy, f"vim -es -u NONE -c'!touch {S}' -c'qa!' </dev/null",
                       role="engineer", target="web01", interactive=interactive)
    assert verdict.action == "deny"


@each(("words", "kinds"), [
    (["vim", "-esc", "!id"], [("command", "!id")]),
    (["vim", "-e", "-s", "f"], []),  # ex mode: -s is silent, f a file
    (["vim", "-s", "keys", "f"], [("source", "keys")]),
    (["vim", "-Vfile", "f"], [("write", "file")]),
    (["vim", "-i", "NONE"], []),
    (["vim", "--", "+!id"], []),
])
def test_vim_parts(words, kinds):
    parts = _vim_parts([_Word(w, w) for w in words])
    assert [(p.kind, p.word.value if p.word else None) for p in parts] == kinds


@each(("text", "arguments"), [
    ("|tee C", ["|tee", "C"]),
    ("'|tee' C", ["|tee", "C"]),
    ("'a b'c d", ["a b", "c", "d"]),  # a quoted word ends at its quote
    ('"a\\"b" c', ['a"b', "c"]),
    ("a\\ b", ["a\\", "b"]),  # a backslash does not join a bare word to the next
    ("'unclosed rest", ["unclosed rest"]),
])
def test_sqlite_dot_command_words_split_as_sqlite3_splits_them(text, arguments):
    assert _sqlite_arguments(text) == arguments


@each(("name", "path"), [
    ("file:/etc/x?mode=rwc", "/etc/x"),
    ("file:///etc/x", "/etc/x"),
    ("file://localhost/etc/%78", "/etc/x"),
    ("file:/etc/x#frag", "/etc/x"),
    ("file:rel.db", "rel.db"),
    ("file::memory:", None),
    ("file:x?mode=memory&cache=shared", None),
    (":memory:", None),
    ("/srv/a.db", "/srv/a.db"),
])
def test_sqlite_database_names_are_read_as_uris(name, path):
    found = _sqlite_file(name)
    assert (found.text if found is not None else None) == path


@each(("line", "expected"), [
    # finding 7: the words after `|cmd` run too
    (f"sqlite3 /tmp/t.db '.once |tee {S}' 'select 1;'", "deny"),
    (f"sqlite3 /tmp/t.db '.output |tee {S}' 'select 1;'", "deny"),
    (f"sqlite3 /tmp/t.db \".once '|tee' {S}\" 'select 1;'", "deny"),
    (f"sqlite3 /tmp/t.db \".o |sh -c 'true; touch {S}'\" 'select 1;'", "deny"),
    (f"sqlite3 /tmp/t.db <<'E'\n.once |tee {S}\nselect 1;\nE", "deny"),
    # a file named in every quoting
    (f"sqlite3 /tmp/t.db '.once \"{S}\"' 'select 1;'", "deny"),
    (f"sqlite3 /tmp/t.db \".once '{S}\" 'select 1;'", "deny"),
    (f"sqlite3 /tmp/t.db '.log {S}' 'select 1;'", "deny"),
    # URI file names
    (f"sqlite3 'file:{S}?mode=rwc' 'create table a(b);'", "deny"),
    (f"sqlite3 'file://{S}' 'create table a(b);'", "deny"),
    ("sqlite3 'file://localhost/etc/sudoers.d/%78' 'create table a(b);'", "deny"),
    (f"sqlite3 /tmp/t.db '.open file:{S}?mode=rwc'", "deny"),
    (f"sqlite3 /tmp/t.db \"attach 'file:{S}?mode=rwc' as b;\"", "deny"),
    # options anywhere: -A and -cmd after the database; -lookaside takes two words
    ("sqlite3 /tmp/A.sqlar -A -x -C /etc/sudoers.d", "confirm"),
    ("sqlite3 /tmp/A.sqlar -Ax", "confirm"),
    (f"sqlite3 /tmp/t.db 'select 1;' -cmd '.shell touch {S}'", "deny"),
    (f"sqlite3 -lookaside 10 20 {S} 'select 3;'", "deny"),
    # honest halves
    ("sqlite3 /tmp/t.db 'select 1;'", "allow"),
    ("sqlite3 -readonly /tmp/t.db '.once /tmp/out.txt' 'select 1;'", "allow"),
    ("sqlite3 'file::memory:' 'select 1;'", "allow"),
    ("sqlite3 -header -csv /tmp/t.db 'select * from a;'", "allow"),
    ("sqlite3 /tmp/t.db '.import /tmp/x.csv t'", "allow"),
    ("sqlite3 /tmp/t.db -cmd '.mode csv' 'select 1;'", "allow"),
])
def test_sqlite3_is_read_as_sqlite3_reads_it(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # finding 8: clusters hid the code letters
    *[(f"git rebase {o}x 'touch {S}' HEAD~1", "deny") for o in ("-q", "-k", "-v", "-i", "-r", "-S")],
    (f"git rebase -qx'touch {S}' HEAD~1", "deny"),
    (f"git rebase --exe='touch {S}' HEAD~1", "deny"),
    *[(f"git difftool {o}x 'touch {S}' HEAD~1", "deny") for o in ("-y", "-g", "-d")],
    (f"git grep -iO'touch {S}' pat", "deny"),
    (f"git grep -O'touch {S}' pat", "deny"),
    (f"git clone -qc core.sshCommand='touch {S}' host:r", "deny"),
    (f"git clone -ccore.sshCommand='touch {S}' host:r", "deny"),
    (f"git clone --conf core.sshCommand='touch {S}' host:r", "deny"),
    (f"git clone -qu 'touch {S}' host:r", "deny"),
    ("git clone --templ /tmp/t /tmp/r /tmp/x", "confirm"),
    # code options no table had
    (f"git filter-branch -f --setup 'touch {S}' HEAD", "deny"),
    (f"git filter-branch -f --set='touch {S}' HEAD", "deny"),
    (f"git daemon --access-hook='touch {S}'", "deny"),
    (f"git daemon --access-hook 'touch {S}'", "deny"),
    (f"git send-email --to-cmd='touch {S}' a.patch", "deny"),
    (f"git send-email --cc-cmd 'touch {S}' a.patch", "deny"),
    (f"git send-email --smtp-server='/usr/bin/tee {S}' a.patch", "deny"),
    # value options before the operands shifted the folder written
    *[(f"git clone {o} /tmp/r {S}", "deny") for o in (
        "-q -b master", "-qb master", "-bmaster", "-o up", "--origin up", "--depth 1",
        "--reference /tmp/o", "--filter blob:none", "-j 4", "--separate-git-dir /tmp/g",
        "-c a.b=c", "--shallow-since 2020-01-01", "--shallow-exclude v1", "--server-option x",
        "--bundle-uri /tmp/b", "--no-checkout --no-tags", "--recurse-submodules=x")],
    ("git clone --frobnicate X /tmp/r /etc/sudoers.d/x", "confirm"),  # an option not known
    *[(f"git worktree add {o} {S}", "deny") for o in ("-b X", "-B X", "--lock --reason why",
                                                      "-fb X", "--detach")],
    *[(f"git init {o} {S}", "deny") for o in ("-b main", "-qb main", "--template /tmp/t",
                                              "--object-format sha256", "--initial-branch main",
                                              "--separate-git-dir /tmp/g", "--shared=group")],
    *[(f"git bundle create {o} {S} --all", "deny") for o in ("--version 2", "-q", "--progress")],
    ("git bundle create --frob 2 /tmp/r.bundle --all", "confirm"),
    # honest halves
    ("git bundle create /tmp/r.bundle --all", "allow"),
    ("git bundle create --version=3 /tmp/r.bundle main --since=10.days", "allow"),
    ("git clone https://example.com/r.git", "allow"),
    ("git clone -b main --depth 1 https://example.com/r.git /tmp/r", "allow"),
    ("git clone --recurse-submodules https://example.com/r.git /tmp/r", "allow"),
    ("git clone --bare /tmp/r /tmp/x.git", "allow"),
    ("git worktree add -b feature ../feature", "allow"),
    ("git worktree add -d /tmp/wt HEAD", "allow"),
    ("git init -q /tmp/newrepo", "allow"),
    ("git init", "allow"),
    ("git rebase -i HEAD~3", "allow"),
    ("git rebase -x 'make test' HEAD~3", "allow"),
    ("git rebase -s ort -X theirs main", "allow"),
    ("git grep -in foo", "allow"),
    ("git grep -O foo", "allow"),
    ("git grep -e foo -O", "allow"),
    ("git difftool -y HEAD~1", "allow"),
    ("git difftool -t meld HEAD~1", "allow"),
    ("git send-email --smtp-server=smtp.example.com a.patch", "allow"),
    ("git daemon --base-path=/srv/git --export-all", "allow"),
])
def test_git_options_are_read_as_parse_options_reads_them(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("verb", "words", "operands"), [
    ("clone", ["clone", "-q", "-b", "B", "SRC", "DEST"], ["SRC", "DEST"]),
    ("clone", ["clone", "--depth=1", "SRC", "--", "-DEST"], ["SRC", "-DEST"]),
    ("clone", ["clone", "--no-reject-shallow", "SRC", "DEST"], ["SRC", "DEST"]),
    ("clone", ["clone", "-x", "SRC", "DEST"], None),
    ("worktree add", ["worktree", "add", "-b", "X", "DIR", "HEAD"], ["DIR", "HEAD"]),
    ("init", ["init", "--shared", "DIR"], ["DIR"]),
    ("init", ["init", "--bogus", "DIR"], None),
])
def test_git_operands(verb, words, operands):
    found = _git_operands(verb, [_Word(w, w) for w in words])
    assert (None if found is None else [w.value for w in found]) == operands


def test_a_dot_command_given_on_the_line_runs_across_its_newlines(default_policy):
    # sqlite3 runs a word given on its line as one dot command, its newlines blanks: `.once |tee`
    # with the file on the next line tees to that file (checked with sqlite3 3.40).
    line = f"sqlite3 /tmp/t.db $'.once |tee\\n{S}' 'select 1;'"
    assert action(default_policy, line) == "deny"
