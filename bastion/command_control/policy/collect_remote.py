"""Logins elsewhere by clients other than OpenSSH's ssh, and parallel shells that read their
commands from stdin (found after outside attack v31o, finding 3): Dropbear's `dbclient`, GNU
lsh's `lsh`/`lshc`, Kerberos' `krsh`/`krlogin`, `remsh`, `rexec`, `xxh`, and `pdsh`, `clush`, `mussh`.

Each is read as `ssh` is (collect_programs.py, `_ssh`): the command it runs elsewhere is shell
code, judged as such; with none, a shell elsewhere reads the line's stdin ("shell": an exec
channel gets the stdin gate, each statement judged; the logins among them are pty makers too,
policy/own_terminal.py, refused without a pty as `ssh host` is). pdsh and clush given no command
read one per line from stdin and run each on every host (pdsh's exec module, `-R exec` or
`PDSH_RCMD_TYPE=exec`, on the target itself): a shell reading the stdin too.

The readings fail closed: a short option not known to be a flag takes a value (the next word
when it ends its cluster), so an unknown option eats a word rather than letting the host pass
for the command; options after the host are read as options (Dropbear and lsh read them there);
a word known only at run time among the options is unknown, and the stdin still a shell's.
Methods of `_Collector` (collect.py)."""

from __future__ import annotations

from typing import NamedTuple

from bastion.command_control.policy.words import _Site, _Word


class _Client(NamedTuple):
    flags: str  # short options that take no value
    values: str  # short options that take one (the rest of the word, or the next word)
    quiet: str  # options after which nothing reads the stdin as a shell (-N, -V, netcat's -B)
    host: bool  # its first operand is the host (ssh's way); else hosts are options' values
    command: bool  # it may take a command after the host; False: always a login
    long_flags: frozenset[str] = frozenset()  # long options that take no value
    long_values: frozenset[str] = frozenset()  # long options whose value may be the next word
    strict: bool = True  # an option in no table is unknown (False: xxh's, read as flags)


_CLIENTS = {
    # Dropbear's cli-runopts.c (it warns of an unknown option and goes on: read as unknown)
    "dbclient": _Client("AaCgjkNfqsTtvVxyYz", "ilpJLRWKIBbcmoe", "NBsVh", True, True),
    "lsh": _Client("tTnNgGqvVBz", "plicmLRDES", "NV", True, True),
    "lshc": _Client("tTnNgGqvVBz", "plicmLRDES", "NV", True, True),
    # krb5-appl's rsh and rlogin (options before or after the host)
    "krsh": _Client("ndxfFu46", "lkP", "", True, True),
    "krlogin": _Client("78acfFndxL46", "eklPt", "", True, False),
    # HP-UX's and others' name for rsh, and the rexec client (`rexec [-l USER] HOST CMD`)
    "remsh": _Client("nd46", "l", "", True, True), "rexec": _Client("nda", "lp", "", True, True),
    "xxh": _Client("", "", "", True, False, strict=False),
    "pdsh": _Client("aAiqbNLdSkhV", "wxgXltufRMFP", "hqVL", False, True),
    "clush": _Client("naBbLNPSqvdhcp", "wxgXslofturREOm", "h", False, True,
                     frozenset({"--nostdin", "--all", "--dshbak", "--dshbak-nogroup", "--quiet",
                                "--verbose", "--debug", "--help", "--version", "--diff",
                                "--progress", "--maxrc", "--copy", "--rcopy", "--preserve"}),
                     frozenset({"--nodes", "--exclude", "--group", "--groupsource", "--user",
                                "--options", "--fanout", "--connect_timeout", "--command_timeout",
                                "--worker", "--option", "--dest", "--color", "--mode", "--pick",
                                "--topology", "--remote", "--xgroup", "--groupsconf",
                                "--setrlimit", "--outdir", "--errdir"})),
}
_QUIET_LONG = frozenset({"--help", "--version"})


class _Remote:
    """Part of `_Collector` (collect.py): remote logins and parallel shells other than ssh."""

    def _remote_login(self, name: str, words: list[_Word], site: _Site) -> bool:
        """`dbclient HOST [CMD]`, `pdsh -w HOSTS [CMD]`...: CMD judged as shell code; with none,
        a shell elsewhere reads the line's stdin (the module's docstring)."""
        client = _CLIENTS[name]
        index, host, quiet = 1, not client.host, False
        command: list[_Word] = []
        odd: str | None = None
        while index < len(words):
            value = words[index].value
            index += 1
            if value is None:
                self._unknown(site, words, f"options of {name} known only at run time")
                return self._stdin_code(name, words, site, "a shell", fed="sh")
            if value == "--":
                if not host:
                    index += 1  # the host
                    host = True
                command = words[index:]
                break
            if value.startswith("--"):
                option = value.partition("=")[0]
                quiet = quiet or option in _QUIET_LONG
                if option in client.long_values and "=" not in value:
                    index += 1  # its value is the next word
                elif client.strict and option not in client.long_flags | client.long_values:
                    odd = value
                continue
            if value[:1] in "-+" and len(value) > 1:  # xxh's options start with +
                for offset, letter in enumerate(value[1:], start=2):
                    quiet = quiet or letter in client.quiet
                    if letter in client.values:
                        index += offset == len(value)  # its value: the rest, or the next word
                        break
                    if client.strict and letter not in client.flags:
                        odd = value
                        break
                continue
            if not host:
                host = True
                continue
            command = words[index - 1:]
            break
        if odd is not None:
            # an option no table names may take a value or not: the host, the command and
            # whether a shell reads the stdin all depend on it (Dropbear ignores one it does
            # not know: `dbclient -Q h CMD` runs CMD)
            self._unknown(site, words, f"{name} {odd}: an option the bastion does not know, "
                                       "which may change what the words after it are")
        if (not command or not client.command) and not quiet:
            self._stdin_code(name, words, site, "a shell", fed="sh")
        else:
            self._plain(name, words, site)
        if command and client.command:
            return self._joined_code(command, site, name)
        if command:
            self._unknown(site, words, f"{name} takes no command: words after its host that the "
                                       "bastion cannot read")
        return True

    def _mussh(self, name: str, words: list[_Word], site: _Site) -> bool:
        """mussh: `-c CMD` runs CMD on each host (shell code), `-C FILE` a script file; with
        neither it reads the script from stdin (a shell reading the stdin)."""
        values = [w.value for w in words]
        if None in values:
            self._unknown(site, words, f"options of {name} known only at run time")
            return self._stdin_code(name, words, site, "a shell", fed="sh")
        if "-c" in values:
            at = values.index("-c") + 1
            self._plain(name, words, site)
            return self._code(words[at] if at < len(words) else None, site, name)
        if "-C" in values or values[1:2] in (["-V"], ["--help"]):
            self._plain(name, words, site)
            return True
        return self._stdin_code(name, words, site, "a shell", fed="sh")


REMOTE_METHODS = {**dict.fromkeys(_CLIENTS, "_remote_login"), "mussh": "_mussh"}
