"""Whether an exec command gives its file-transfer server another stdin than the channel.

The bastion follows an scp or SFTP server's stream (command_control.scp, .sftplog) only where
the server reads what the client sends. A redirection of the server's stdin (`<`, `<<`, `<<<`,
`<&N`, `0<>`, `0>&N`) makes the target's shell feed it something else: records the bastion
never sees (`scp -t DIR <<< RECORDS` wrote any file under DIR: attack o24o, finding 2). Such a
command is not followed, so it gets the policy's `unknown` action (ssh.judge.runs_file_server).

The reading is lexical and errs on the side of "redirected": an unquoted `<` anywhere (also in
a comment or a process substitution, which are refused or unknown anyway), and a `>` whose
file descriptor is 0. See docs/ARCHITECTURE.md (command control).
"""
from __future__ import annotations

from bastion.text import digits


def stdin_replaced(line: str) -> bool:
    """True when `line` may redirect a command's standard input (see the module's docstring)."""
    quote = ""
    escaped = False
    for index, char in enumerate(line):
        if escaped:
            escaped = False
        elif quote == "'":
            quote = "" if char == "'" else quote
        elif char == "\\":
            escaped = True
        elif quote == '"':
            quote = "" if char == '"' else quote
        elif char in "'\"":
            quote = char
        elif char == "<":
            return True
        elif char == ">" and _descriptor_before(line, index) == "0":
            return True
    return False


def _descriptor_before(line: str, index: int) -> str:
    """The digits that end right before `index` and start a word (`0>` is fd 0, `x0>` is not)."""
    start = index
    while start > 0 and digits(line[start - 1]):
        start -= 1
    if start == index or (start > 0 and not line[start - 1].isspace() and line[start - 1] not in ";&|(){}"):
        return ""
    return line[start:index].lstrip("0") or "0"
