"""A shell's stdin cut into statements: where statements end, and a bound on the work per byte."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from bastion.command_control import policy, statements
from bastion.command_control.statements import Overflow, Rest, Statement, StatementSplitter
from tests.rows import each

FUZZ = settings(deadline=None, derandomize=True, database=None, max_examples=150)


def split(data: bytes, chunk: int = 7, **limits: int) -> tuple[list, StatementSplitter]:
    splitter = StatementSplitter(policy.is_complete, **limits)
    pieces = []
    for i in range(0, len(data), chunk):
        pieces += splitter.feed(data[i:i + chunk])
    return pieces + splitter.finish(), splitter


def texts(data: bytes, chunk: int = 7) -> list[str]:
    pieces, _ = split(data, chunk)
    assert all(isinstance(p, Statement) for p in pieces)
    return [p.text for p in pieces]


@each(("script", "expected"), [
    (b"echo hi\nls -l\n", ["echo hi\n", "ls -l\n"]),
    (b"echo 'a\nb'\necho c\n", ["echo 'a\nb'\n", "echo c\n"]),
    (b'echo "a\n$(echo b\n)"\nnext\n', ['echo "a\n$(echo b\n)"\n', "next\n"]),
    (b"echo $'a\\'b\n'\nnext\n", ["echo $'a\\'b\n'\n", "next\n"]),
    (b"if true; then\n echo x\nfi\necho y\n", ["if true; then\n echo x\nfi\n", "echo y\n"]),
    (b"for i in 1 2; do\n echo $i\ndone\n", ["for i in 1 2; do\n echo $i\ndone\n"]),
    (b"case $x in\n a) echo a;;\nesac\nnext\n", ["case $x in\n a) echo a;;\nesac\n", "next\n"]),
    (b"f() {\n echo\n}\nf\n", ["f() {\n echo\n}\n", "f\n"]),
    (b"ls |\n wc -l\n", ["ls |\n wc -l\n"]),
    (b"true &&\n false\n", ["true &&\n false\n"]),
    (b"echo a \\\n b\nnext\n", ["echo a \\\n b\n", "next\n"]),
    (b"cat <<EOF\nhello $(id)\nEOF\necho z\n", ["cat <<EOF\nhello $(id)\nEOF\n", "echo z\n"]),
    (b"cat <<-EOF\n\tbody\n\tEOF\nnext\n", ["cat <<-EOF\n\tbody\n\tEOF\n", "next\n"]),
    (b"cat <<'E O'\nE O x\nE O\nnext\n", ["cat <<'E O'\nE O x\nE O\n", "next\n"]),
    (b"cat <<A; cat <<B\na\nA\nb\nB\nnext\n", ["cat <<A; cat <<B\na\nA\nb\nB\n", "next\n"]),
    (b"x=$(cat <<EOF\nin\nEOF\n)\nnext\n", ["x=$(cat <<EOF\nin\nEOF\n)\n", "next\n"]),
    # bash joins backslash-newline in a body whose delimiter is unquoted: "ab\" + "EOF" is not
    # the end; a lone "\" + "EOF" is. Quoted delimiters take lines as they are.
    (b"cat <<EOF\nab\\\nEOF\nxyz\nEOF\nnext\n", ["cat <<EOF\nab\\\nEOF\nxyz\nEOF\n", "next\n"]),
    (b"cat <<EOF\n\\\nEOF\nnext\n", ["cat <<EOF\n\\\nEOF\n", "next\n"]),
    (b"cat <<'EOF'\nab\\\nEOF\nnext\n", ["cat <<'EOF'\nab\\\nEOF\n", "next\n"]),
    (b"cat <<EOF\nab\\\\\nEOF\nnext\n", ["cat <<EOF\nab\\\\\nEOF\n", "next\n"]),
    (b"# a comment with a quote '\necho ok\n", ["# a comment with a quote '\n", "echo ok\n"]),
    (b"echo '#' x\n", ["echo '#' x\n"]),
    (b"echo unfinished", ["echo unfinished"]),
    (b"echo 'never closed\nmore\n", ["echo 'never closed\nmore\n"]),
    # outside attack C, finding 4: each spelling of a here-document word as bash reads it, and
    # the line bash ends the body at, where dash reads and ends it alike
    (b"cat <<\"E\\OF\"\nEOF\nE\\OF\nnext\n", ["cat <<\"E\\OF\"\nEOF\nE\\OF\n", "next\n"]),
    (b"cat <<E\\OF\nEOF\nnext\n", ["cat <<E\\OF\nEOF\n", "next\n"]),
    (b"cat <<\"E\\$F\"\nE$F\nnext\n", ["cat <<\"E\\$F\"\nE$F\n", "next\n"]),
    (b"cat <<E'O'\"F\"\nEOF\nnext\n", ["cat <<E'O'\"F\"\nEOF\n", "next\n"]),
    (b"cat <<-EOF\nx\\\n\tEOF\nEOF\nnext\n", ["cat <<-EOF\nx\\\n\tEOF\nEOF\n", "next\n"]),
    (b"cat <<-EOF\n\\\n\tEOF\nnext\n", ["cat <<-EOF\n\\\n\tEOF\n", "next\n"]),
    (b"x=`cat <<EOF\nhi\nEOF`\nnext\n", ["x=`cat <<EOF\nhi\nEOF`\n", "next\n"]),
    (b"x=`cat <<-EOF\nhi\n\tEOF` ; y\nnext\n", ["x=`cat <<-EOF\nhi\n\tEOF` ; y\n", "next\n"]),
    # where bash and dash read the word or the end apart, the rest of the input is one
    # statement: judged whole, nothing after it is cut on a guess
    (b"cat <<$'EOF'\nEOF\ntouch x\n$EOF\nnext\n", ["cat <<$'EOF'\nEOF\ntouch x\n$EOF\nnext\n"]),
    (b'cat <<$"EOF"\nEOF\nnext\n', ['cat <<$"EOF"\nEOF\nnext\n']),
    (b"cat <<$(x)\nhi\n$(x)\nnext\n", ["cat <<$(x)\nhi\n$(x)\nnext\n"]),
    (b"cat <<EOF\nEO\\\nF\ntouch x\nEOF\nnext\n", ["cat <<EOF\nEO\\\nF\ntouch x\nEOF\nnext\n"]),
    (b"x=$(cat <<EOF\nhi\nEOF)\nnext\n", ["x=$(cat <<EOF\nhi\nEOF)\nnext\n"]),
    (b"x=$(cat <<EOF)\nhi\nEOF\nnext\n", ["x=$(cat <<EOF)\nhi\nEOF\nnext\n"]),
])
def test_statements_end_where_the_shell_would_run_them(script, expected):
    assert texts(script) == expected
    assert texts(script, chunk=len(script)) == expected
    assert texts(script, chunk=1) == expected


def test_a_statement_is_cut_the_same_however_its_bytes_arrive():
    script = (b"a=1\nif [ $a ]; then\n  cat <<'X' | wc\n  body 'with' \"quotes\"\nX\nfi\n"
              b"echo \"multi\nline\" $(\n  date\n)\nls |\n  wc\n")
    whole = texts(script, chunk=len(script))
    assert len(whole) == 4
    for chunk in (1, 2, 3, 5, 8, 13):
        assert texts(script, chunk=chunk) == whole


LINES = st.sampled_from([
    "echo a", "if true; then", "then", "fi", "else", "echo 'x", "y'", "'", "echo \"q", "\"",
    "cat <<EOF", "cat <<'EOF'", "EOF", "cat <<-T", "\tT", "f() {", "}", "case $x in", "a) ;;",
    "esac", "ls |", "echo \\", "for i in 1; do", "done", "$(", ")", "`", "echo $'z", "# '",
    "x=$((1+", "2))", "{ echo", "ab\\",
])


@settings(deadline=None, derandomize=True, database=None, max_examples=300)
@given(lines=st.lists(LINES, max_size=30), cut=st.integers(1, 40))
def test_no_byte_is_lost_and_every_statement_is_one_the_policy_finds_complete(lines, cut):
    script = "".join(f"{line}\n" for line in lines).encode()
    pieces, _ = split(script, chunk=cut)
    assert b"".join(p.data for p in pieces) == script
    for piece in pieces[:-1]:  # the last may be the unfinished rest at end of input
        assert isinstance(piece, Statement)
        assert policy.is_complete(piece.text)


def work(splitter: StatementSplitter) -> int:
    return splitter.bytes_lexed + splitter.bytes_confirmed


@each("opening", [b"echo '", b'echo "', b"{\n", b"cat <<EOF\n$(\n"])
def test_an_unfinished_megabyte_costs_work_linear_in_its_size_and_overflows_at_64_kib(opening):
    """What stalled every session: `echo '` then many short lines, parsed again at each one."""
    body = b"x\n" * 500_000
    data = opening + body
    splitter = StatementSplitter(policy.is_complete)
    pieces = []
    for i in range(0, len(data), 512):
        pieces += splitter.feed(data[i:i + 512])
    assert work(splitter) <= 2 * len(data)
    first = pieces[0]
    assert isinstance(first, Overflow)
    assert statements.MAX_CODE <= len(first.data) <= statements.MAX_CODE + 1024
    assert "64 KiB" in first.reason
    # The rest goes out as it comes, never held: every byte once, in order.
    assert all(isinstance(p, Rest) and not p.last for p in pieces[1:])
    assert b"".join(p.data for p in pieces) == data


def test_after_an_overflowed_statement_ends_statements_are_cut_again():
    data = b"echo '" + b"y\n" * 40_000 + b"'\necho after\n"
    pieces, _ = split(data, chunk=4096)
    assert isinstance(pieces[0], Overflow)
    rests = [p for p in pieces if isinstance(p, Rest)]
    assert rests[-1].last and rests[-1].data.endswith(b"'\n")
    assert [p.text for p in pieces if isinstance(p, Statement)] == ["echo after\n"]
    assert b"".join(p.data for p in pieces) == data


def test_a_line_without_end_overflows_and_is_not_held():
    data = b"echo " + b"a" * 200_000
    pieces, splitter = split(data, chunk=1000)
    assert isinstance(pieces[0], Overflow)
    assert b"".join(p.data for p in pieces) == data
    assert work(splitter) <= 2 * len(data)


def test_a_large_quoted_heredoc_has_no_cap_and_is_judged_without_its_body():
    """`ssh host bash -s < deploy.sh` with a 10 MB here-document keeps working."""
    body = b"key = value with $dollar and `ticks`\n" * 280_000
    data = b"cat > /etc/app.conf <<'EOF'\n" + body + b"EOF\necho done\n"
    pieces, splitter = split(data, chunk=32_768)
    assert [type(p) for p in pieces] == [Statement, Statement]
    assert pieces[0].data == data[: -len(b"echo done\n")]
    assert pieces[0].text == f"cat > /etc/app.conf <<'EOF'\n{statements.PLACEHOLDER}EOF\n"
    assert work(splitter) <= 2 * len(data)
    assert len(data) > 10_000_000


def test_a_large_unquoted_heredoc_that_expands_nothing_is_judged_without_its_body():
    data = b"cat > x <<EOF\n" + b"plain $HOME text\n" * 10_000 + b"EOF\n"
    (piece,), _ = split(data, chunk=4096)
    assert piece.text == f"cat > x <<EOF\n{statements.PLACEHOLDER}EOF\n"


def test_a_heredoc_body_that_runs_commands_is_code_and_capped():
    data = b"cat <<EOF\n$(touch x)\n" + b"filler line\n" * 20_000 + b"EOF\n"
    pieces, _ = split(data, chunk=4096)
    assert isinstance(pieces[0], Overflow)


def test_a_short_heredoc_body_is_judged_whole_so_a_shell_fed_by_it_is_read():
    data = b"bash <<'EOF'\ntouch canary\nEOF\n"
    (piece,), _ = split(data)
    assert piece.text == data.decode()
    commands = [c.name for c in policy.parse_commands(piece.text)]
    assert "touch" in commands


def test_a_long_body_left_out_of_a_shell_fed_by_it_makes_the_command_unknown():
    data = b"bash <<'EOF'\n" + b"echo hi\n" * 1000 + b"EOF\n"
    (piece,), _ = split(data, chunk=4096)
    assert statements.PLACEHOLDER in piece.text
    assert any(c.name is None for c in policy.parse_commands(piece.text))


def test_a_statement_held_past_the_memory_bound_overflows():
    data = b"cat <<'EOF'\n" + b"z" * 100 + b"\n" * 3000
    pieces, _ = split(data, chunk=64, max_held=2048)
    assert isinstance(pieces[0], Overflow) and "longer than 2 KiB" in pieces[0].reason


def test_when_the_policy_disagrees_its_checks_are_bounded_by_doubling():
    asked: list[int] = []

    def never(text: str) -> bool:
        asked.append(len(text))
        return False

    splitter = StatementSplitter(never, max_code=1 << 30)
    for _ in range(20_000):
        splitter.feed(b"echo x\n")
    assert len(asked) <= 18  # 7 * 2**17 > 20,000 lines of 7 bytes
    assert splitter.bytes_confirmed <= 2 * 20_000 * 7


@each("chunk", [1, 3, 64])
def test_nul_bytes_are_dropped_from_what_is_judged_and_what_is_sent(chunk):
    # bash and dash drop NUL bytes from script input: `r<NUL>m` is `rm` to them, so it must be
    # to the policy, and the bytes sent are the bytes judged.
    script = b"r\0m -rf /tmp/x\0\necho '\0a\nb'\n\0"
    pieces, _ = split(script, chunk)
    assert [p.text for p in pieces] == ["rm -rf /tmp/x\n", "echo 'a\nb'\n"]
    assert [p.data for p in pieces] == [b"rm -rf /tmp/x\n", b"echo 'a\nb'\n"]
    assert policy.parse_commands(pieces[0].text)[0].name == "rm"


def test_a_nul_cannot_split_or_join_an_operator():
    # `<<EOF` written `<\0<EOF` is a here-document to bash: its body is not a statement.
    assert texts(b"cat <\0<EOF\nrm -rf /\nEOF\nnext\n") == ["cat <<EOF\nrm -rf /\nEOF\n",
                                                           "next\n"]
