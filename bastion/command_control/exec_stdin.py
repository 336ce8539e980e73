"""Whether an exec command gives its file-transfer server another stdin than the channel.

The bastion follows an scp or SFTP server's stream (command_control.scp, .sftplog) only where
the server reads what the client sends. A redirection of the server's stdin (`<`, `<<`, `<<<`,
`<&N`, `0<>`, `0>&N`) makes the target's shell feed it something else: records the bastion
never sees (`scp -t DIR <<< RECORDS` wrote any file under DIR: attack o24o, finding 2). Such a
command is not followed, so it gets the policy's `unknown` action (ssh.judge.runs_file_server).

The reading is lexical and blind to quoting on purpose: any `<`, and any `>` after a word of
zeros (fd 0), counts, quoted or not. A reading that follows quotes can be led astray by the
shell's own grammar (a comment holding `'` made the rest of the line look quoted: attack p25o,
finding 1), and the honest cost of blindness is small (an scp path holding `<` or `0>`).
See docs/ARCHITECTURE.md (command control).
"""
from __future__ import annotations

import re

# fd 0 named before `>`: `0>`, `00>&3`, after anything that is not part of a word
_STDIN_OUT = re.compile(r"(?<![A-Za-z0-9_$@%+=.,:/~-])0+>")


def stdin_replaced(line: str) -> bool:
    """True when `line` may redirect a command's standard input (see the module's docstring)."""
    return "<" in line or _STDIN_OUT.search(line) is not None
