"""Attack c38f, finding 19: a relative script of a shell or interpreter after a `cd` to a folder
known only when the line runs (`cd "$(echo /usr/sbin)" && python3 ufw disable`), or one climbing
from a home not known (`cd; cd ../../usr/sbin`), ran the program of a folder of programs unread.
Such a script is now read by its name, as `./ufw` is; a file named like a script (`manage.py`,
`deploy.sh`) is no program's own and still runs. Each attack line is held typed and as an exec
command; the honest lines beside them still run."""

from bastion.command_control import policy
from tests.policy_rows import assert_held_or_runs
from tests.rows import each

HELD = [
    'cd "$(echo /usr/sbin)" && python3 ufw disable', "cd `printf /usr/sbin` && sh ./service ufw stop",
    'cd "$(dirname /usr/sbin/ufw)" && python3 ufw disable', 'cd "$1" && python3 ufw disable',
    'cd "$(dirname /usr/sbin/ufw)" && perl ./update-rc.d ufw remove',
    'cd "$(echo /etc/init.d)" && sh ./ufw stop', 'cd "$(echo /etc/init.d)" && . ./ufw stop',
    'cd "$(echo /etc/init.d)" && bash ufw stop', 'cd "$(echo /usr/bin)" && ruby gem sources --add http://x/',
    'cd "${D:-/usr/sbin}" && sh service ufw stop', 'D=/usr/sbin; cd "$D" && python3 ./ufw disable',
    "cd; cd ../../usr/sbin && sh ./service ufw stop", "cd ~+/../../usr/sbin && python3 ufw disable",
    "cd ~/../../usr/sbin && sh ./service ufw stop",
    # the same class, found in review: a run-time folder spelled from `/`, and `cd -`
    "cd /usr/$X && python3 ufw disable", 'cd /usr/s"$(echo bin)" && sh ./service ufw stop',
    "cd /$(echo usr/sbin) && python3 ufw disable", "cd - && python3 ufw disable",
    "cd /tmp && cd - && sh ./service ufw stop",
]
RUNS = [
    'cd "$(mktemp -d)" && python3 setup.py build', 'cd "$D" && sh ./build.sh',
    'cd "$D" && python3 manage.py migrate', 'cd "$APP" && bash deploy.sh', 'cd "$APP" && ruby app.rb',
    "cd ~/app && python3 manage.py migrate", "cd ../app && sh ./run.sh", "cd /usr/sbin && ls",
    "cd - && ls", "cd /srv/$APP && python3 manage.py migrate",
]


@each(("line", "held"), [(line, True) for line in HELD] + [(line, False) for line in RUNS])
def test_c38f_d_rows(default_policy: policy.Policy, line: str, held: bool) -> None:
    assert_held_or_runs(default_policy, line, held)
