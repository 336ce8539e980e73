"""bastion.toml and policy.toml: defaults load; any malformed file is refused with one clear line."""

from __future__ import annotations

from pathlib import Path

import pytest

from bastion import config
from bastion.cli import main
from bastion.command_control import policy
from bastion.config import durations
from tests.rows import each


def write(tmp_path: Path, text: str, name: str = "bastion.toml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_default_files_load_with_documented_defaults():
    cfg = config.load_config(config.DEFAULTS_DIR / "bastion.toml")
    assert cfg.server.listen_host_port == ("127.0.0.1", 2222)
    assert cfg.server.idle_timeout == 1800
    assert set(cfg.roles) >= {"engineer", "supervisor", "admin", "vendor"}
    assert cfg.roles["engineer"].max_duration == 4 * 3600
    assert cfg.roles["supervisor"].supervise and not cfg.roles["engineer"].supervise
    pol = policy.load_policy(config.DEFAULTS_DIR / "policy.toml")
    assert pol.rules, "the default policy has rules"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[server]\nlisten = 'nowhere'\n", "bastion.toml:2: server.listen: expected HOST:PORT"),
        ("[server]\nidle_timout = '30m'\n", "bastion.toml:2: server.idle_timout: unknown key"),
        ("[server]\nidle_timeout = 'soon'\n", "server.idle_timeout: expected a duration"),
        ("[server]\nticket_pattern = '(['\n", "server.ticket_pattern: not a valid regex"),
        ("[roles.engineer]\napproval = 'sometimes'\n", "roles.engineer.approval: must be"),
        ("[roles.engineer]\nsftp = 'yes'\n", "roles.engineer.sftp: must be true or false"),
        ("[targets.web01]\nport = 22\n", "targets.web01.host: is required"),
        ("[targets.web01]\nhost = 'x'\nport = 70000\nhost_keys = ['k']\n",
         "bastion.toml:3: targets.web01.port: must be a port number"),
        ("[targets.web01]\nhost = 'x'\n", "targets.web01: needs host_keys"),
        ("[targets.Web]\nhost = 'x'\nhost_keys = ['k']\n", "targets.Web: target names must match"),
        ("[server\nlisten = 1\n", "not valid TOML"),
        ("surprise = 1\n", "bastion.toml:1: surprise: unknown key"),
        ("[server]\nlogin_timeout = 1e300\n", "server.login_timeout: duration must be at most 3650d"),
        ("[server]\nconnection_rate_per_source = -1\n",
         "server.connection_rate_per_source: must be a whole number from 0 to 1000000000"),
        ("[server]\nmax_connections = 99999999999999999999\n", "server.max_connections: must be"),
    ],
)
def test_malformed_config_is_refused_with_one_line_naming_file_line_and_key(tmp_path, text, expected):
    path = write(tmp_path, text)
    with pytest.raises(config.ConfigError) as err:
        config.load_config(path)
    message = str(err.value)
    assert "\n" not in message
    assert str(tmp_path) in message
    assert expected in message


def test_malformed_policy_names_the_rule_and_key(tmp_path):
    path = write(tmp_path, "[[rules]]\nname = 'x'\naction = 'explode'\ncommands = ['rm']\n",
                 "policy.toml")
    with pytest.raises(config.ConfigError) as err:
        policy.load_policy(path)
    assert "policy.toml" in str(err.value) and "action" in str(err.value)
    assert "\n" not in str(err.value)


def test_serve_refuses_malformed_config_without_traceback(home, capsys):
    home.config_file.write_text("[server]\nlisten = 12\n")
    code = main(["--home", str(home.path), "requests"])
    captured = capsys.readouterr()
    assert code == 1
    assert "Traceback" not in captured.err
    assert captured.err.count("\n") == 1
    assert "server.listen: must be a string" in captured.err


# Every spelling either file documents (bastion.toml: "90s", "30m", "4h", "2d"; policy.toml:
# "120s", "2m", "1m30s", a number of seconds) is read the same by the one parser, at each place
# that takes a duration: a bastion.toml key and policy.toml's confirm_timeout.
GOOD_DURATIONS = [("90s", 90), ("30m", 1800), ("4h", 14400), ("2d", 172800), (45, 45),
                  ("1.5h", 5400), ("120s", 120), ("2m", 120), ("1m30s", 90), ("1h30m", 5400),
                  ("1h 30m", 5400), ("90", 90), (" 10s ", 10), ("30 m", 1800), (1.5, 1.5)]
BAD_DURATIONS = ["", "-5m", "5w", True, "m", 0, "0s", "3651d", 1e300, "9" * 400, "2 weeks",
                 "1h-30m", "s30", float("nan"), float("inf"), "1e3s", "1h30", "h1"]


@each(("text", "seconds"), GOOD_DURATIONS)
def test_durations(text, seconds):
    assert durations.parse_duration(text) == seconds


@each("bad", BAD_DURATIONS)
def test_bad_durations_are_refused(bad):
    with pytest.raises(ValueError) as raised:
        durations.parse_duration(bad)
    assert "\n" not in str(raised.value) and "duration" in str(raised.value)


@pytest.mark.parametrize(("text", "seconds"), GOOD_DURATIONS)
def test_bastion_toml_and_policy_toml_read_a_duration_alike(tmp_path, text, seconds):
    value = f'"{text}"' if isinstance(text, str) else repr(text)
    cfg = config.load_config(write(tmp_path, f"[server]\nidle_timeout = {value}\n"))
    pol = policy.load_policy(write(tmp_path, f"[defaults]\nconfirm_timeout = {value}\n",
                                   "policy.toml"))
    assert cfg.server.idle_timeout == pol.defaults.confirm_timeout == seconds


@pytest.mark.parametrize("bad", [b for b in BAD_DURATIONS if not isinstance(b, float)])
def test_bastion_toml_and_policy_toml_refuse_a_bad_duration_alike(tmp_path, bad):
    value = f'"{bad}"' if isinstance(bad, str) else str(bad).lower()
    with pytest.raises(config.ConfigError, match=r"server\.idle_timeout: .*duration"):
        config.load_config(write(tmp_path, f"[server]\nidle_timeout = {value}\n"))
    with pytest.raises(config.ConfigError, match=r"defaults\.confirm_timeout: .*duration"):
        policy.load_policy(write(tmp_path, f"[defaults]\nconfirm_timeout = {value}\n",
                                 "policy.toml"))


@each("seconds", [1, 59, 90, 120, 3600, 5400, 86400, 172800, 3650 * 86400])
def test_a_formatted_duration_reads_back_as_the_same_seconds(seconds):
    assert durations.parse_duration(durations.format_duration(seconds)) == seconds


# The one spelling of a time span shown to people: the console's columns and countdowns keep the
# seconds below an hour (its snapshots show "12m34s"), the SSH `status` command does not
# (README: "(24m left)"); both round down and never go below zero.
@each(("seconds", "console", "status"), [
    (-5, "0s", "0s"), (0, "0s", "0s"), (59.9, "59s", "59s"), (60, "1m00s", "1m"),
    (754, "12m34s", "12m"), (1450, "24m10s", "24m"), (3599, "59m59s", "59m"),
    (3600, "1h00m", "1h00m"), (7500, "2h05m", "2h05m"), (86399, "23h59m", "23h59m"),
    (86400, "1d00h", "1d00h"), (273600, "3d04h", "3d04h"),
])
def test_a_time_span_is_spelled_in_its_two_largest_units(seconds, console, status):
    assert durations.format_span(seconds) == console
    assert durations.format_span(seconds, seconds_below_an_hour=False) == status
