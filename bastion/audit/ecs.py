"""Audit events as they leave the bastion: `bastion audit export` and syslog's event lines.

`exported` adds Elastic Common Schema fields, derived from the hashed row, beside the row's own
(docs/AUDIT.md lists them).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
from collections.abc import Iterator
from typing import Any

from bastion.store import Backend


def export(store: Backend, since: float | None = None) -> Iterator[dict[str, Any]]:
    """Events in chain order as `exported` dicts, optionally only those at or after `since`."""
    sql = "SELECT * FROM events"
    params: tuple = ()
    if since is not None:
        sql += " WHERE at >= ?"
        params = (since,)
    for row in store.execute(sql + " ORDER BY seq", params):
        yield exported(dict(row))


# ECS `event.category` by the first part of the event name (docs/AUDIT.md lists them).
ECS_CATEGORIES: dict[str, str] = {
    "bastion": "process", "config": "configuration", "user": "iam", "auth": "authentication",
    "mfa": "authentication", "cert": "iam", "request": "iam", "grant": "iam", "vendor": "iam",
    "revocation": "iam", "krl": "iam", "session": "session", "channel": "network",
    "recording": "file", "file": "file", "command": "process", "control": "iam",
    "audit": "configuration",
}


def iso_time(at: float) -> str:
    """Epoch seconds as ISO-8601 UTC with microseconds: 2026-11-23T15:25:40.123456Z."""
    return dt.datetime.fromtimestamp(at, dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def exported(row: dict[str, Any]) -> dict[str, Any]:
    """One event as `audit export` prints it: the row's own fields (seq, at, type, code, actor,
    data decoded, prev_hash, hash) and beside them Elastic Common Schema fields derived from
    them: @timestamp, event, observer, user, source, destination and `bastion` (docs/AUDIT.md).
    Rows written before node and access were stored lack the fields derived from them."""
    item = dict(row)
    data = json.loads(item["data"]) if isinstance(item["data"], str) else item["data"]
    item["data"] = data
    access = data.get("access") if isinstance(data.get("access"), dict) else {}
    item["@timestamp"] = iso_time(item["at"])
    item["event"] = {"action": item["type"], "code": item["code"], "sequence": item["seq"],
                     "kind": "event", "dataset": "bastion.audit",
                     "category": [ECS_CATEGORIES.get(item["type"].split(".")[0], "process")]}
    if data.get("node"):
        item["observer"] = {"name": data["node"], "product": "bastion", "type": "proxy"}
    user: dict[str, Any] = {}
    if access:
        user["name"] = access.get("user")
        user["effective"] = {"name": access.get("login")}
    else:
        if item["actor"] != "system":
            user["name"] = item["actor"]
        if isinstance(data.get("user"), str) and data["user"] != item["actor"]:
            user["target"] = {"name": data["user"]}
    if user:
        item["user"] = user
    client = access.get("client") or data.get("client")
    if isinstance(client, str) and client:
        item["source"] = {"address": client}
        with contextlib.suppress(ValueError):
            item["source"]["ip"] = str(ipaddress.ip_address(client))
    target = access.get("target") or data.get("target")
    if isinstance(target, str) and target:
        item["destination"] = {"address": target}
    extra = {"session": data.get("session"), "ticket": access.get("ticket") or data.get("ticket")}
    extra = {k: v for k, v in extra.items() if isinstance(v, str) and v}
    if extra:
        item["bastion"] = extra
    return item
