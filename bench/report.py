"""The goals the figures are held to, and the table people read."""

from __future__ import annotations

from typing import Any

PATH_COLUMNS = ("direct", "proxyjump", "bastion")
CONCURRENCY_GOAL_SESSIONS = 500
ECHO_P99_GOAL_MS = 50.0
RSS_PER_SESSION_GOAL_KIB = 1024.0
POLICY_GOAL_US = 100.0
CERTS_GOAL_PER_S = 2000.0


def _value(figures: dict[str, Any], name: str, path: str, key: str = "median") -> float | None:
    return figures.get(name, {}).get("paths", {}).get(path, {}).get(key)


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 3) if a is not None and b else None


def goals(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Each goal: what it says, the value from this run, and whether it was met (None: not
    measured in this run)."""
    figures = results.get("figures", {})
    out: list[dict[str, Any]] = []

    def goal(name: str, target: str, value: float | None, met: bool | None, note: str = "") -> None:
        """`met` None: this run cannot tell (not measured, or not at the goal's scale)."""
        out.append({"goal": name, "target": target, "value": value,
                    "met": None if value is None else met, "note": note})

    exec_ratio = _ratio(_value(figures, "exec_throughput", "bastion"),
                        _value(figures, "exec_throughput", "proxyjump"))
    goal("exec throughput vs ProxyJump", ">= 1.0x", exec_ratio,
         exec_ratio is not None and exec_ratio >= 1.0)
    # bulk output is timed: the bastion's speed relative to ProxyJump is their time ratio inverted
    pty_ratio = _ratio(_value(figures, "pty_bulk", "proxyjump"),
                       _value(figures, "pty_bulk", "bastion"))
    goal("pty bulk output speed vs ProxyJump", ">= 0.5x", pty_ratio,
         pty_ratio is not None and pty_ratio >= 0.5)
    tracking_cost = _ratio(_value(figures, "pty_tracking", "tracked"),
                           _value(figures, "pty_tracking", "untracked"))
    goal("pty bulk time, command tracking on vs off", "<= 2.0x", tracking_cost,
         tracking_cost is not None and tracking_cost <= 2.0)
    b99 = _value(figures, "keystroke_echo", "bastion", "p99")
    j99 = _value(figures, "keystroke_echo", "proxyjump", "p99")
    added = round(b99 - j99, 3) if b99 is not None and j99 is not None else None
    goal("keystroke echo p99 added over ProxyJump", "<= 1 ms", added,
         added is not None and added <= 1.0)
    setup_ratio = _ratio(_value(figures, "session_setup", "bastion"),
                         _value(figures, "session_setup", "proxyjump"))
    goal("session setup vs ProxyJump", "<= 1.2x", setup_ratio,
         setup_ratio is not None and setup_ratio <= 1.2)

    runs = [r for r in results.get("concurrency", []) if r["path"] == "bastion" and r["opened"]]
    if runs:
        largest = max(runs, key=lambda r: r["sessions"])
        note = ("" if largest["sessions"] >= CONCURRENCY_GOAL_SESSIONS else
                f"measured at {largest['sessions']} sessions, not {CONCURRENCY_GOAL_SESSIONS} "
                "(run with --full)")
        if largest["opened"] < largest["sessions"]:
            note = f"only {largest['opened']} of {largest['sessions']} sessions opened. " + note
        p99 = largest["echo_ms"]["p99"]
        rss = largest.get("server", {}).get("rss_per_session_kib")
        if largest["sessions"] < CONCURRENCY_GOAL_SESSIONS:
            echo_met = rss_met = None
        else:
            held = largest["opened"] == largest["sessions"]
            echo_met = held and p99 is not None and p99 <= ECHO_P99_GOAL_MS
            rss_met = held and rss is not None and rss <= RSS_PER_SESSION_GOAL_KIB
        goal(f"{CONCURRENCY_GOAL_SESSIONS} sessions: echo p99", f"<= {ECHO_P99_GOAL_MS:g} ms", p99,
             echo_met, note)
        goal(f"{CONCURRENCY_GOAL_SESSIONS} sessions: bastion RSS per session",
             f"<= {RSS_PER_SESSION_GOAL_KIB:g} KiB", rss, rss_met, note)
    else:
        goal(f"{CONCURRENCY_GOAL_SESSIONS} sessions: echo p99", f"<= {ECHO_P99_GOAL_MS:g} ms",
             None, None, "not measured")
        goal(f"{CONCURRENCY_GOAL_SESSIONS} sessions: bastion RSS per session",
             f"<= {RSS_PER_SESSION_GOAL_KIB:g} KiB", None, None, "not measured")

    policy = results.get("policy")
    mean = policy["cold_us"]["mean"] if policy else None
    goal("policy decision per line (new lines, mean)", f"<= {POLICY_GOAL_US:g} us", mean,
         mean is not None and mean <= POLICY_GOAL_US)
    minted = results.get("certificates", {}).get("mint_per_s") if results.get("certificates") else None
    goal("certificates minted per second", f">= {CERTS_GOAL_PER_S:g}", minted,
         minted is not None and minted >= CERTS_GOAL_PER_S)
    return out


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}"
    return str(value)


def table(results: dict[str, Any]) -> str:
    """The figures, the concurrency runs and the goals as plain-text tables."""
    figures = results.get("figures", {})
    lines = []
    head = f"{'figure':<34}" + "".join(f"{p:>12}" for p in PATH_COLUMNS) + f"{'bastion/jump':>14}"
    lines += [head, "-" * len(head)]
    rows = (
        ("exec_throughput", "median", "exec throughput, MB/s", 1),
        ("pty_bulk", "median", "pty bulk output, s", 3),
        ("keystroke_echo", "p50", "keystroke echo p50, ms", 3),
        ("keystroke_echo", "p99", "keystroke echo p99, ms", 3),
        ("session_setup", "median", "session setup (ssh true), s", 3),
    )
    for name, key, label, digits in rows:
        if name not in figures:
            continue
        values = [_value(figures, name, p, key) for p in PATH_COLUMNS]
        ratio = _ratio(values[2], values[1])
        lines.append(f"{label:<34}" + "".join(f"{_fmt(v, digits):>12}" for v in values)
                     + f"{_fmt(ratio, 2) + 'x' if ratio is not None else '-':>14}")
    if "pty_tracking" in figures:
        tracked = _value(figures, "pty_tracking", "tracked")
        untracked = _value(figures, "pty_tracking", "untracked")
        cost = _ratio(tracked, untracked)
        cpu_per_mb = figures["pty_tracking"].get("bastion_cpu_ms_per_MB", {})
        lines.append(f"bastion pty bulk with command tracking on: {_fmt(tracked, 3)} s, off: "
                     f"{_fmt(untracked, 3)} s ({_fmt(cost, 2)}x); bastion CPU "
                     f"{cpu_per_mb.get('tracked', '-')} vs {cpu_per_mb.get('untracked', '-')} ms/MB")
    if "echo_under_flood" in figures:
        f = figures["echo_under_flood"]["paths"]["bastion"]
        lines.append(f"keystroke echo while another session sends {f['flood_bytes']:,}-byte "
                     f"unfinished statements: p50 {_fmt(f['p50'], 3)} ms, p99 {_fmt(f['p99'], 3)} "
                     f"ms, max {_fmt(f['max'], 3)} ms ({f['keystrokes']} keys); a flood took "
                     f"{_fmt(f['flood_seconds']['median'], 3)} s (max "
                     f"{_fmt(f['flood_seconds']['max'], 3)} s, {f['floods']} floods)")
    cpu = [f"{label} {figures[name]['bastion_cpu'][key]} ms/{unit}"
           for name, key, label, unit in (("exec_throughput", "ms_per_MB", "exec", "MB"),
                                          ("pty_bulk", "ms_per_MB", "pty bulk", "MB"),
                                          ("session_setup", "ms_per_session", "setup", "session"))
           if "bastion_cpu" in figures.get(name, {})]
    if cpu:
        lines.append("bastion process CPU time: " + "; ".join(cpu))
    runs = results.get("concurrency", [])
    if runs:
        head = (f"{'sessions':>8} {'path':<10}{'opened':>7}{'open s':>8}{'echo p50':>10}"
                f"{'echo p99':>10}{'RSS/sess KiB':>14}{'CPU % typing':>14}{'CPU ms/open':>13}"
                f"{'loadgen CPU %':>15}{'CPU wait %':>12}")
        lines += ["", "concurrent sessions (echo in ms; RSS and CPU of the bastion process; "
                      "CPU wait: share of the typing some task on the machine waited for a CPU)",
                  head, "-" * len(head)]
        for r in runs:
            server = r.get("server", {})
            lines.append(
                f"{r['sessions']:>8} {r['path']:<10}{r['opened']:>7}{_fmt(r['open_seconds'], 1):>8}"
                f"{_fmt(r['echo_ms']['p50'], 2):>10}{_fmt(r['echo_ms']['p99'], 2):>10}"
                f"{_fmt(server.get('rss_per_session_kib'), 1):>14}"
                f"{_fmt(server.get('cpu_percent_typing'), 1):>14}"
                f"{_fmt(server.get('cpu_ms_per_session_open'), 1):>13}"
                f"{_fmt(r['loadgen_cpu_percent'], 1):>15}"
                f"{_fmt(r.get('cpu_pressure_percent'), 1):>12}"
                + (f"  ({server['cpu_ms_per_keystroke']} ms CPU/key)" if server else ""))
            for error in r["errors"][:3]:
                lines.append(f"{'':>9}not opened: {error}")
            if r.get("stalled_sessions"):
                lines.append(f"{'':>9}{r['stalled_sessions']} sessions stalled: "
                             f"{'; '.join(r['stalled'][:2])}")
    if results.get("policy"):
        p = results["policy"]
        lines += ["", f"policy decision per line: new lines mean {p['cold_us']['mean']} us, "
                      f"p50 {p['cold_us']['p50']} us, p99 {p['cold_us']['p99']} us; "
                      f"repeated lines mean {p['warm_us']['mean']} us ({p['lines']} lines)"]
    if results.get("certificates"):
        c = results["certificates"]
        lines.append(f"certificates: {c['mint_per_s']}/s minted; {c['keygen_and_mint_per_s']}/s "
                     "with a fresh key each")
    pressure = results.get("settings", {}).get("machine", {}).get("cpu_pressure_percent")
    if pressure:
        lines += ["", "machine busy (share of time some task waited for a CPU, per phase): "
                  + ", ".join(f"{when} {share}%" for when, share in pressure)]
    lines += ["", f"{'goal':<48}{'target':>12}{'value':>12}  met"]
    for g in results.get("goals", []):
        met = {True: "yes", False: "NO", None: "-"}[g["met"]]
        lines.append(f"{g['goal']:<48}{g['target']:>12}{_fmt(g['value'], 3):>12}  {met}"
                     + (f"  ({g['note']})" if g["note"] else ""))
    return "\n".join(lines)
