"""The home folder: where everything the bastion keeps lives, and `bastion init` that creates it.

Layout (a contract): ca/user_ca(.pub), ca/target_ca(.pub), ca/host_ca(.pub), host_key,
host_key-cert.pub, bastion.db, bastion.toml, policy.toml, recordings/, secret.key, control.sock.
"""

from __future__ import annotations

import os
import pwd
import shutil
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import certs
from bastion import audit, config
from bastion.access import grants, mfa, users
from bastion.command_control import policy
from bastion.errors import BastionError
from bastion.store import Store, now

HOST_CERT_YEARS = 5


class HomeError(BastionError):
    """The home folder is missing or unusable."""


@dataclass(frozen=True)
class Home:
    path: Path

    @classmethod
    def resolve(cls, arg: str | None) -> Home:
        """--home DIR where given, else $BASTION_HOME, else ./var."""
        chosen = arg or os.environ.get("BASTION_HOME") or "var"
        return cls(Path(chosen).absolute())

    @property
    def ca_dir(self) -> Path:
        return self.path / "ca"

    @property
    def user_ca(self) -> Path:
        return self.ca_dir / "user_ca"

    @property
    def target_ca(self) -> Path:
        return self.ca_dir / "target_ca"

    @property
    def host_ca(self) -> Path:
        return self.ca_dir / "host_ca"

    @property
    def host_key(self) -> Path:
        return self.path / "host_key"

    @property
    def host_cert(self) -> Path:
        return self.path / "host_key-cert.pub"

    @property
    def db(self) -> Path:
        return self.path / "bastion.db"

    @property
    def config_file(self) -> Path:
        return self.path / "bastion.toml"

    @property
    def policy_file(self) -> Path:
        return self.path / "policy.toml"

    @property
    def recordings(self) -> Path:
        return self.path / "recordings"

    @property
    def secret_key(self) -> Path:
        return self.path / "secret.key"

    @property
    def control_socket(self) -> Path:
        return self.path / "control.sock"

    def require(self) -> None:
        if not self.path.is_dir() or not self.db.exists():
            raise HomeError(f"{self.path}: not a bastion home (run `bastion init` first, "
                            "or pass --home / set BASTION_HOME)")


@dataclass
class Context:
    """An opened home: configuration, store, CAs and the TOTP secret box, loaded once."""

    home: Home
    config: config.Config
    store: Store

    @cached_property
    def box(self) -> mfa.SecretBox:
        return mfa.SecretBox(mfa.load_or_create_secret_key(self.home.secret_key))

    @cached_property
    def user_ca(self) -> certs.CertificateAuthority:
        return certs.load_or_create_ca(self.home.user_ca, "bastion user CA")

    @cached_property
    def target_ca(self) -> certs.CertificateAuthority:
        return certs.load_or_create_ca(self.home.target_ca, "bastion target CA")

    @cached_property
    def host_ca(self) -> certs.CertificateAuthority:
        return certs.load_or_create_ca(self.home.host_ca, "bastion host CA")

    @cached_property
    def policy(self):
        return policy.load_policy(self.home.policy_file)

    def close(self) -> None:
        self.store.close()


PRIVATE_FILES = ("ca/user_ca", "ca/target_ca", "ca/host_ca", "host_key", "secret.key", "bastion.db",
                 "bastion.db-wal", "bastion.db-shm", "bastion.toml", "policy.toml")
PRIVATE_DIRS = (".", "ca", "recordings")


def permission_problems(home: Home) -> list[str]:
    """What is readable or writable by others, or owned by another user, among the secrets.

    CA keys, the host key, the TOTP secret key, the database and the folders holding them must
    be the service user's alone (files 0600, folders 0700)."""
    problems = []
    uid = os.geteuid()
    for name, is_dir in [(n, False) for n in PRIVATE_FILES] + [(n, True) for n in PRIVATE_DIRS]:
        path = home.path / name
        try:
            st = path.lstat()
        except FileNotFoundError:
            continue
        if path.is_symlink():
            problems.append(f"{path} is a symbolic link")
        elif st.st_uid != uid:
            problems.append(f"{path} is owned by uid {st.st_uid}, not {uid}")
        elif st.st_mode & 0o077:
            want = "700" if is_dir else "600"
            problems.append(f"{path} has mode {st.st_mode & 0o777:o} (run: chmod {want} {path})")
    return problems


def require_private(home: Home) -> None:
    """Refuse to serve from a home whose secrets others could read or change."""
    problems = permission_problems(home)
    if problems:
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise HomeError(f"permissions too open, refusing to start: {problems[0]}{more}")


def open_store(home: Home, *, create: bool = False) -> Store:
    """The home's store, its schema upgraded first where it is older (an audited event)."""
    def migrated(store: Store, old: int, new: int) -> None:
        audit.record(store, "store.migrated", local_actor(), old_version=old, new_version=new,
                     backup=store.backup_path(old).name)

    return Store(home.db, create=create, on_migrate=migrated)


def open_home(home: Home) -> Context:
    """Open an existing home; refuses a home that does not exist and a malformed bastion.toml."""
    home.require()
    cfg = config.load_config(home.config_file)
    audit.configure(cfg)
    return Context(home=home, config=cfg, store=open_store(home))


@dataclass(frozen=True)
class InitResult:
    created: list[str]
    hostname: str
    target_ca_line: str
    host_ca_line: str


def init(home: Home, hostname: str | None = None) -> InitResult:
    """Create what is missing under the home folder; never overwrites what exists (idempotent).
    Everything it creates is private whatever the caller's umask (the CLI sets 077 itself)."""
    old = os.umask(0o077)
    try:
        return _init(home, hostname)
    finally:
        os.umask(old)


def _init(home: Home, hostname: str | None) -> InitResult:
    created: list[str] = []
    home.path.mkdir(mode=0o700, parents=True, exist_ok=True)
    home.ca_dir.mkdir(mode=0o700, exist_ok=True)
    home.recordings.mkdir(mode=0o700, exist_ok=True)
    for name, src in (("bastion.toml", "bastion.toml"), ("policy.toml", "policy.toml")):
        dest = home.path / name
        if not dest.exists():
            shutil.copyfile(config.DEFAULTS_DIR / src, dest)
            os.chmod(dest, 0o600)
            created.append(name)
    cfg = config.load_config(home.config_file)
    policy.load_policy(home.policy_file)
    audit.configure(cfg)
    hostname = hostname or cfg.server.hostname
    for path in (home.user_ca, home.target_ca, home.host_ca):
        if not path.exists():
            created.append(f"ca/{path.name}")
    db_new = not home.db.exists()
    store = open_store(home, create=True)
    ctx = Context(home=home, config=cfg, store=store)
    try:
        if db_new:
            created.append("bastion.db")
        if not home.secret_key.exists():
            created.append("secret.key")
        ctx.box  # noqa: B018 - creates secret.key now rather than at first enrolment
        ctx.user_ca  # noqa: B018 - created now, not at the first certificate
        target_ca, host_ca = ctx.target_ca, ctx.host_ca
        if not home.host_key.exists() or not home.host_cert.exists():
            host_key = certs.load_or_create_host_key(home.host_key)
            serial = store.next_serial()
            valid_after, valid_before = certs.validity_window(
                now(), HOST_CERT_YEARS * 365 * 86400, backdate=int(cfg.server.cert_backdate))
            key_id = certs.format_key_id(host=hostname)
            cert = certs.mint_host_certificate(
                host_ca, host_key.convert_to_public(), serial=serial, key_id=key_id,
                principals=[hostname], valid_after=valid_after, valid_before=valid_before)
            certs.write_certificate(cert, home.host_key)
            grants.record_certificate(store, cert, "host")
            created += ["host_key", "host_key-cert.pub"]
        if created:
            audit.record(store, "bastion.init", local_actor(), created=created,
                         hostname=hostname)
        return InitResult(created, hostname, target_ca.public_line, host_ca.public_line)
    finally:
        store.close()


def local_actor() -> str:
    """The actor name of whoever runs the CLI on this machine: local:NAME, or
    local:NAME(sudo:WHO) when run through sudo by WHO (users.local_actor_name)."""
    try:
        name = pwd.getpwuid(os.getuid()).pw_name
    except KeyError:
        name = str(os.getuid())
    return users.local_actor_name(name, os.environ.get("SUDO_USER"))
