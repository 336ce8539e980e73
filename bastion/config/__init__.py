"""Configuration: `bastion.toml` and `policy.toml` loaded into typed, validated objects.

Every problem is reported as one `ConfigError` line naming the file, the line where it can be found,
the key and what is wrong. Callers print it and stop; nothing here raises anything else for bad input.
"""

from __future__ import annotations

import ipaddress
import math
import os
import re
import socket
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bastion.config.durations import parse_duration
from bastion.config.escrow_key import EscrowError, EscrowKey
from bastion.errors import BastionError
from bastion.text import visible

# \Z, not $: `$` also matches before a final newline, and "web01\n" is no target name.
TARGET_NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*\Z")
LOGIN_NAME = re.compile(r"^[a-z_][a-z0-9_.-]{0,31}\Z")
DEFAULT_ROLES = ("engineer", "supervisor", "admin", "vendor")
# The default bastion.toml and policy.toml, shipped inside the package. In a checkout these are
# symbolic links to config/ (where they are edited); a built wheel holds copies.
DEFAULTS_DIR = Path(__file__).resolve().parents[1] / "defaults"

MAX_INT = 10**9
_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(B|KB|MB|GB|TB)?\s*$", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "B": 1, "KB": 10**3, "MB": 10**6, "GB": 10**9, "TB": 10**12}


class ConfigError(BastionError):
    """A configuration file is unusable; the message is one line for the operator."""


def parse_size(value: Any) -> int:
    """Bytes in "500MB", "2GB" or a bare number; ValueError otherwise."""
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str) and (m := _SIZE.match(value)):
        size = float(m.group(1)) * _SIZE_UNITS[(m.group(2) or "").upper()]
        if size < math.inf:
            return int(size)
    raise ValueError(f"expected a size like 100MB, got {value!r}")


@dataclass(frozen=True)
class Role:
    name: str
    approval: str = "required"
    auto_approve_targets: tuple[str, ...] = ()
    max_duration: float = 4 * 3600
    user_cert_ttl: float = 3600
    targets: tuple[str, ...] = ("*",)
    logins: tuple[str, ...] = ("*",)
    mfa_per_session: bool = False
    sftp: bool = True
    forwarding: bool = False
    supervise: bool = False
    pin_client_address: bool = True


@dataclass(frozen=True)
class Target:
    name: str
    host: str
    port: int = 22
    logins: tuple[str, ...] = ()
    host_keys: tuple[str, ...] = ()
    host_key_file: str | None = None
    host_ca_keys: tuple[str, ...] = ()
    principals: str = "login"
    mfa_per_session: bool = False


@dataclass(frozen=True)
class ServerSettings:
    listen: str = "127.0.0.1:2222"
    hostname: str = "localhost"
    ticket_pattern: str = r"^[A-Z][A-Z0-9]+-[0-9]+$"
    idle_timeout: float = 1800
    request_ttl: float = 86400
    grant_warning: float = 120
    target_cert_ttl: float = 300
    cert_backdate: float = 60
    store_grace: float = 10
    recordings_min_free: int = 100 * 10**6
    login_timeout: float = 30
    max_connections: int = 1000
    max_connections_per_source: int = 50
    connection_rate_per_source: int = 60
    audit_retention: float = 90 * 86400
    audit_syslog: str = ""
    audit_syslog_events: bool = False
    egress_addresses: tuple[str, ...] = ()

    @property
    def listen_host_port(self) -> tuple[str, int]:
        return split_host_port(self.listen)


NODE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")


def default_node() -> str:
    """The node name when bastion.toml names none: $BASTION_NODE, else the host name."""
    return os.environ.get("BASTION_NODE") or socket.gethostname()


@dataclass(frozen=True)
class ClusterSettings:
    node: str = field(default_factory=default_node)


@dataclass(frozen=True)
class RecordingSettings:
    # Keys typed without echo are sealed to this key (bastion.recording.escrow); None: they are not kept.
    escrow_key: EscrowKey | None = None


@dataclass(frozen=True)
class Config:
    path: Path | None
    server: ServerSettings = field(default_factory=ServerSettings)
    recordings: RecordingSettings = field(default_factory=RecordingSettings)
    cluster: ClusterSettings = field(default_factory=ClusterSettings)
    roles: dict[str, Role] = field(default_factory=dict)
    targets: dict[str, Target] = field(default_factory=dict)

    def role(self, name: str) -> Role:
        """The role of that name; a user whose role no longer exists gets nothing (fail closed)."""
        if name not in self.roles:
            raise ConfigError(f"role {name!r} is not defined in bastion.toml")
        return self.roles[name]


def syslog_address(dest: str) -> str | tuple[str, int] | None:
    """What an `audit_syslog` setting names: None for "" (off), the path of a unix datagram
    socket ("/dev/log"), or (host, port) for "udp:HOST:PORT". ValueError for anything else."""
    if dest == "":
        return None
    if dest.startswith("udp:"):
        host, port = split_host_port(dest[4:])
        if port == 0:
            raise ValueError(f"port 0 in {dest!r}")
        return host, port
    if dest.startswith("/"):
        return dest
    raise ValueError(f'expected "" (off), a unix socket path such as "/dev/log", or "udp:HOST:PORT", '
                     f"got {dest!r}")


def split_host_port(text: str) -> tuple[str, int]:
    """("127.0.0.1", 2222) from "127.0.0.1:2222" or "[::1]:2222"; ValueError otherwise."""
    m = re.fullmatch(r"\[([^\]]+)\]:([0-9]+)|([^:\[\]]+):([0-9]+)", text.strip())
    if not m:
        raise ValueError(f"expected HOST:PORT, got {text!r}")
    host = m.group(1) or m.group(3)
    port = int(m.group(2) or m.group(4))
    if not 0 <= port <= 65535:
        raise ValueError(f"port out of range in {text!r}")
    return host, port


class TomlReader:
    """Validates one TOML table, remembering the key path and the file for error messages."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()

    def fail(self, keypath: str, problem: str) -> ConfigError:
        line = self._line_of(keypath)
        where = f"{self.path}:{line}" if line else str(self.path)
        return ConfigError(visible(f"{where}: {keypath}: {problem}"))

    def _line_of(self, keypath: str) -> int | None:
        """Best effort: the line that sets the last key of keypath below its table header."""
        parts = [p for p in re.split(r"\.|\[[0-9]+\]", keypath) if p]
        if not parts:
            return None
        key = parts[-1]
        header = ".".join(parts[:-1])
        in_table = not header
        for number, raw in enumerate(self.lines, 1):
            line = raw.strip()
            if line.startswith("["):
                name = line.strip("[] ").split("#")[0].strip()
                in_table = name == header or (not header)
                if name == ".".join(parts) and not in_table:
                    return number
                continue
            if in_table and re.match(rf"^\s*{re.escape(key)}\s*=", raw):
                return number
        return None

    def table(self, data: Any, keypath: str, allowed: set[str] | None) -> dict[str, Any]:
        """`data` as a table whose keys are all in `allowed` (None: any key)."""
        if not isinstance(data, dict):
            raise self.fail(keypath, "must be a table")
        for key in data:
            if allowed is not None and key not in allowed:
                path = f"{keypath}.{key}" if keypath else key
                raise self.fail(path, f"unknown key (allowed: {', '.join(sorted(allowed))})")
        return data

    def get(self, data: dict, keypath: str, key: str, kind: str, default: Any) -> Any:
        if key not in data:
            return default
        value = data[key]
        full = f"{keypath}.{key}" if keypath else key
        try:
            return _convert(kind, value)
        except ValueError as exc:
            raise self.fail(full, str(exc)) from None


def _convert(kind: str, value: Any) -> Any:
    if kind == "str":
        if not isinstance(value, str):
            raise ValueError("must be a string")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if kind == "int":
        if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= MAX_INT:
            raise ValueError(f"must be a whole number from 0 to {MAX_INT}")
        return value
    if kind == "port":
        if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 65535:
            raise ValueError("must be a port number 1-65535")
        return value
    if kind == "duration":
        return parse_duration(value)
    if kind == "size":
        return parse_size(value)
    if kind == "strlist":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ValueError("must be a list of strings")
        return tuple(value)
    raise AssertionError(kind)


_SERVER_KEYS = {
    "listen": "str", "hostname": "str", "ticket_pattern": "str", "idle_timeout": "duration",
    "request_ttl": "duration", "grant_warning": "duration", "target_cert_ttl": "duration",
    "cert_backdate": "duration", "store_grace": "duration", "recordings_min_free": "size",
    "login_timeout": "duration", "max_connections": "int", "max_connections_per_source": "int",
    "connection_rate_per_source": "int",
    "audit_retention": "duration", "audit_syslog": "str", "audit_syslog_events": "bool",
    "egress_addresses": "strlist",
}
_RECORDINGS_KEYS = {"escrow_key": "str"}
_ROLE_KEYS = {
    "approval": "str", "auto_approve_targets": "strlist", "max_duration": "duration",
    "user_cert_ttl": "duration", "targets": "strlist", "logins": "strlist",
    "mfa_per_session": "bool", "sftp": "bool", "forwarding": "bool", "supervise": "bool",
    "pin_client_address": "bool",
}
_TARGET_KEYS = {
    "host": "str", "port": "port", "logins": "strlist", "host_keys": "strlist",
    "host_key_file": "str", "host_ca_keys": "strlist", "principals": "str", "mfa_per_session": "bool",
}


def read_toml(path: Path) -> tuple[dict[str, Any], str]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from None
    try:
        return tomllib.loads(text), text
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except (ValueError, RecursionError):  # an integer too long for int(), nesting too deep
        raise ConfigError(f"{path}: not valid TOML: a value beyond the parser's limits") from None


def load_config(path: Path) -> Config:
    """Load and validate bastion.toml. Raises ConfigError (one line) for anything wrong."""
    data, text = read_toml(path)
    r = TomlReader(path, text)
    r.table(data, "", {"server", "recordings", "cluster", "roles", "targets"})
    server = _load_server(r, data.get("server", {}))
    recordings = _load_recordings(r, data.get("recordings", {}))
    cluster = _load_cluster(r, data.get("cluster", {}))
    roles = {name: Role(name=name) for name in DEFAULT_ROLES}
    for name, table in r.table(data.get("roles", {}), "roles", None).items():
        roles[name] = _load_role(r, name, table)
    targets = {}
    for name, table in r.table(data.get("targets", {}), "targets", None).items():
        targets[name] = _load_target(r, name, table)
    return Config(path=path, server=server, recordings=recordings, cluster=cluster, roles=roles,
                  targets=targets)


def _load_cluster(r: TomlReader, data: Any) -> ClusterSettings:
    r.table(data, "cluster", {"node"})
    node = r.get(data, "cluster", "node", "str", None)
    if node is None:
        node = default_node()
        if "BASTION_NODE" in os.environ and not NODE_NAME.match(node):
            raise ConfigError(visible(f"BASTION_NODE: {node!r} is not a node name (letters, "
                                      "digits, '.', '_', '-'; at most 64)"))
    elif not NODE_NAME.match(node):
        raise r.fail("cluster.node", "letters, digits, '.', '_' and '-', at most 64, "
                                     "starting with a letter or digit")
    return ClusterSettings(node=node)


def _load_server(r: TomlReader, data: Any) -> ServerSettings:
    r.table(data, "server", set(_SERVER_KEYS))
    values = {k: r.get(data, "server", k, kind, getattr(ServerSettings, k))
              for k, kind in _SERVER_KEYS.items()}
    try:
        split_host_port(values["listen"])
    except ValueError as exc:
        raise r.fail("server.listen", str(exc)) from None
    try:
        re.compile(values["ticket_pattern"])
    except re.error as exc:
        raise r.fail("server.ticket_pattern", f"not a valid regex: {exc}") from None
    except (OverflowError, RecursionError):  # a{99999999999}, groups nested a thousand deep
        raise r.fail("server.ticket_pattern",
                     "not a valid regex: beyond the regex compiler's limits") from None
    try:
        syslog_address(values["audit_syslog"])
    except ValueError as exc:
        raise r.fail("server.audit_syslog", str(exc)) from None
    for addr in values["egress_addresses"]:
        try:
            ipaddress.ip_address(addr)
        except ValueError:
            raise r.fail("server.egress_addresses", f"not an IP address: {addr!r}") from None
    return ServerSettings(**values)


def _load_recordings(r: TomlReader, data: Any) -> RecordingSettings:
    r.table(data, "recordings", set(_RECORDINGS_KEYS))
    text = r.get(data, "recordings", "escrow_key", "str", "")
    if not text.strip():
        return RecordingSettings()
    try:
        return RecordingSettings(escrow_key=EscrowKey.parse(text))
    except EscrowError as exc:
        raise r.fail("recordings.escrow_key", str(exc)) from None


def _load_role(r: TomlReader, name: str, data: Any) -> Role:
    keypath = f"roles.{name}"
    r.table(data, keypath, set(_ROLE_KEYS))
    values = {k: r.get(data, keypath, k, kind, getattr(Role, k)) for k, kind in _ROLE_KEYS.items()}
    if values["approval"] not in ("required", "auto"):
        raise r.fail(f"{keypath}.approval", 'must be "required" or "auto"')
    if values["user_cert_ttl"] > values["max_duration"]:
        raise r.fail(f"{keypath}.user_cert_ttl", "must not exceed max_duration")
    return Role(name=name, **values)


def _load_target(r: TomlReader, name: str, data: Any) -> Target:
    keypath = f"targets.{name}"
    if not TARGET_NAME.match(name):
        raise r.fail(keypath, "target names must match ^[a-z0-9][a-z0-9._-]*$")
    r.table(data, keypath, set(_TARGET_KEYS))
    if "host" not in data:
        raise r.fail(f"{keypath}.host", "is required")
    values = {k: r.get(data, keypath, k, kind, getattr(Target, k, None))
              for k, kind in _TARGET_KEYS.items()}
    if values["principals"] not in ("login", "scoped"):
        raise r.fail(f"{keypath}.principals", 'must be "login" or "scoped"')
    for login in values["logins"]:
        if not LOGIN_NAME.match(login):
            raise r.fail(f"{keypath}.logins", f"not a valid login name: {login!r}")
    if not (values["host_keys"] or values["host_key_file"] or values["host_ca_keys"]):
        raise r.fail(keypath, "needs host_keys, host_key_file or host_ca_keys "
                              "(the bastion never trusts a target's key on first use)")
    return Target(name=name, **values)
