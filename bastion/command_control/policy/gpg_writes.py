"""The files gpg writes beside its operands when no -o names its output (issue 12, fix-open;
checked with GnuPG 2.2 here): `-e`/`-c`/`-s`/`--store` write FILE.gpg (FILE.asc with -a),
`-b` FILE.sig (.asc), `--clear-sign` and `--enarmor` FILE.asc, `--dearmor` FILE.gpg; with no
command, or `--decrypt-files`, it decrypts FILE.gpg/.pgp/.asc to FILE (`-d` writes stdout).
A file beside a protected one (`gpg -c /etc/sudoers.d/x` writes /etc/sudoers.d/x.gpg) is a
write the rule on that folder meets. What the table cannot tell (an option it does not know
may take the next word) only counts one more operand: every such name is a write here."""

from __future__ import annotations

from bastion.command_control.policy.paths import PathArg, _path_arg
from bastion.command_control.policy.words import _Word

# gpg's options that take a value (`gpg --dump-options`, the common ones); the value is no
# operand. Short: -o -r -R -u -f -F -N -z (and -o's value is the output: writes.py).
_VALUES = frozenset({
    "--output", "--recipient", "--hidden-recipient", "--recipient-file",
    "--hidden-recipient-file", "--local-user", "--default-key", "--default-recipient",
    "--encrypt-to", "--hidden-encrypt-to", "--group", "--homedir", "--keyring",
    "--secret-keyring", "--primary-keyring", "--trustdb-name", "--trust-model", "--cipher-algo",
    "--digest-algo", "--compress-algo", "--compress-level", "--bzip2-compress-level",
    "--passphrase", "--passphrase-file", "--passphrase-fd", "--passphrase-repeat",
    "--pinentry-mode", "--status-fd", "--status-file", "--logger-fd", "--logger-file",
    "--log-file", "--attribute-fd", "--attribute-file", "--command-fd", "--command-file",
    "--set-filename", "--comment", "--keyserver", "--keyserver-options", "--sig-notation",
    "--cert-notation", "--set-notation", "--sig-policy-url", "--set-policy-url",
    "--sig-keyserver-url", "--personal-cipher-preferences", "--personal-digest-preferences",
    "--personal-compress-preferences", "--s2k-cipher-algo", "--s2k-digest-algo", "--s2k-mode",
    "--s2k-count", "--agent-program", "--dirmngr-program", "--keyboxd-program",
    "--photo-viewer", "--exec-path", "--faked-system-time", "--default-sig-expire",
    "--default-cert-expire", "--trusted-key", "--compliance", "--display-charset", "--charset",
    "--options", "--debug-level", "--debug", "--weak-digest", "--max-output", "--chunk-size",
    "--auto-key-locate", "--keyid-format", "--list-options", "--verify-options",
    "--export-options", "--import-options", "--export-filter", "--import-filter", "--sender",
    "--input-size-hint", "--known-notation", "--default-new-key-algo", "--aead-algo",
})  # fmt: skip
_SHORT_VALUES = "orRufFNz"
# command -> the suffix of what it writes beside each operand (armored: its second)
_SUFFIX = {"encrypt": (".gpg", ".asc"), "symmetric": (".gpg", ".asc"), "sign": (".gpg", ".asc"),
           "store": (".gpg", ".asc"), "encrypt-files": (".gpg", ".asc"),
           "detach-sign": (".sig", ".asc"), "clear-sign": (".asc", ".asc"),
           "clearsign": (".asc", ".asc"), "enarmor": (".asc", ".asc"),
           "dearmor": (".gpg", ".gpg")}
_LETTERS = {"e": "encrypt", "c": "symmetric", "s": "sign", "b": "detach-sign", "d": "decrypt",
            "k": "list-keys", "K": "list-secret-keys"}
_ENCRYPTED = (".gpg", ".pgp", ".asc")
# gpg's commands (`gpg --dump-options`): given none, it guesses, and decrypts an operand
_COMMANDS = frozenset(_SUFFIX) | frozenset({
    "decrypt", "verify", "verify-files", "list-keys", "list-public-keys", "list-secret-keys",
    "list-signatures", "list-sigs", "check-signatures", "check-sigs", "fingerprint",
    "list-packets", "import", "export", "export-secret-keys", "export-secret-subkeys",
    "export-ssh-key", "send-keys", "recv-keys", "receive-keys", "refresh-keys", "search-keys",
    "fetch-keys", "locate-keys", "locate-external-keys", "show-keys", "gen-key", "generate-key",
    "full-gen-key", "full-generate-key", "quick-gen-key", "quick-generate-key", "quick-add-key",
    "quick-add-uid", "quick-revoke-uid", "quick-set-expire", "quick-set-primary-uid",
    "edit-key", "sign-key", "lsign-key", "quick-sign-key", "quick-lsign-key", "delete-keys",
    "delete-secret-keys", "delete-secret-and-public-keys", "gen-revoke", "generate-revocation",
    "desig-revoke", "import-ownertrust", "export-ownertrust", "update-trustdb",
    "check-trustdb", "fix-trustdb", "card-status", "card-edit", "edit-card", "change-pin",
    "print-md", "print-mds", "gen-random", "gen-prime", "version", "help", "dump-options",
    "warranty", "list-config", "gpgconf-list", "gpgconf-test", "passwd", "tofu-policy",
    "server", "list-gcrypt-config",
})  # fmt: skip


def gpg_implicit_writes(words: list[_Word]) -> list[PathArg]:
    """The files gpg writes beside its operands (none when -o/--output names its output)."""
    commands: set[str] = set()
    armor, operands, output = False, [], False
    index = 1
    while index < len(words):
        word, value = words[index], words[index].value
        index += 1
        if value is None or value == "-" or not value.startswith("-"):
            operands.append(word)
            continue
        if value == "--":
            operands += words[index:]
            break
        if value.startswith("--"):
            head, has_value, _ = value.partition("=")
            # an exact name wins; else any start of one name (gpgrt's abbreviations)
            named = [c for c in _COMMANDS if c == head[2:]] or [
                c for c in _COMMANDS if c.startswith(head[2:])]
            takes = head in _VALUES or (not named and any(v.startswith(head) for v in _VALUES))
            output = output or (len(head) > 2 and "--output".startswith(head))
            if takes:
                index += 0 if has_value else 1
            elif "--armor".startswith(head) and len(head) > 3:
                armor = True
            else:
                commands.add(named[0] if len(named) == 1 else head[2:])
            continue
        for offset, letter in enumerate(value[1:], start=2):
            if letter in _SHORT_VALUES:
                output = output or letter == "o"
                index += 0 if value[offset:] else 1
                break
            if letter == "a":
                armor = True
            commands.add(_LETTERS.get(letter, letter))
    if output:
        return []
    return [path for word in operands for path in _beside(word, commands, armor)]


def _beside(word: _Word, commands: set[str], armor: bool) -> list[PathArg]:
    if word.value is None:
        return [_path_arg(word)]
    if word.value == "-":
        return []
    suffixes = {_SUFFIX[c][armor] for c in commands if c in _SUFFIX}
    if "detach-sign" in commands:
        suffixes.discard(".gpg")  # `-sb`: the signature only
    written = [_path_arg(word, f"{word.value}{suffix}") for suffix in sorted(suffixes)]
    decrypts = "decrypt-files" in commands or {"multifile", "decrypt"} <= commands
    if not suffixes and (decrypts or not commands & _COMMANDS):
        stem = next((word.value[:-4] for s in _ENCRYPTED if word.value.endswith(s)), None)
        # a name without the suffix: gpg asks for the name to write (or takes a default)
        written.append(_path_arg(word, stem) if stem else PathArg(f"{word.text} (a name gpg asks for)",
                                                                  "unknown"))
    return written
