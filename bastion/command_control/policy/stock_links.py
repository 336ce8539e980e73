"""Symbolic links and home directories a stock system has (found after outside attack a10f,
findings 3 and 4), which a lexical reading of a path does not see.

A `..` after a link climbs from the link's target, not from the folder holding the link:
`/var/run/../etc/sudoers` is /etc/sudoers on any system where /var/run is a link to /run, and
/var/etc/sudoers where it is a folder. The bastion cannot see the target's file system, so
`link_readings` gives every reading a stock system of a supported distribution may give
(Debian and Ubuntu, RHEL and Fedora, Arch, Alpine, ostree systems): rules judge them all. A
`..` after a link whose target no table knows (an alternative, a device's folder in /sys) makes
the path unknown. The same readings name the file a write follows a link to
(`/usr/lib/ssl/private/k` is /etc/ssl/private/k on Debian).

`~user` of a system account is that account's home, which is no /home folder (`~sys` is /dev,
`~bin` is /bin): `home_readings` gives each home a stock system may give it. An account no
table knows is taken to be a person's, in /home.
"""

from __future__ import annotations

import re

# Links whose targets are known, each with every target a stock system gives it (a system
# where it is a folder reads it as written).
_LINKS: dict[str, tuple[str, ...]] = {
    "/var/run": ("/run",), "/var/lock": ("/run/lock",),
    # merged /usr (Debian 12, Fedora, Arch: /usr/sbin and /usr/lib64 too)
    "/bin": ("/usr/bin",), "/sbin": ("/usr/sbin", "/usr/bin"), "/lib": ("/usr/lib",),
    "/lib64": ("/usr/lib64", "/usr/lib"), "/lib32": ("/usr/lib32",), "/libx32": ("/usr/libx32",),
    "/usr/sbin": ("/usr/bin",), "/usr/lib64": ("/usr/lib",),
    "/usr/tmp": ("/var/tmp",), "/var/spool/mail": ("/var/mail",), "/var/mail": ("/var/spool/mail",),
    # OpenSSL's folders (Debian's /usr/lib/ssl, RHEL's /etc/ssl -> /etc/pki/tls)
    "/usr/lib/ssl/certs": ("/etc/ssl/certs",), "/usr/lib/ssl/private": ("/etc/ssl/private",),
    "/usr/lib/ssl/openssl.cnf": ("/etc/ssl/openssl.cnf",), "/etc/ssl/certs": ("/etc/pki/tls/certs",),
    "/etc/ssl/cert.pem": ("/etc/pki/tls/cert.pem",), "/usr/local/ssl": ("/etc/ssl",),
    # /proc's and /dev's own (/proc/self's are read by paths.through_proc)
    "/proc/net": ("/proc/self/net",), "/proc/mounts": ("/proc/self/mounts",),
    "/dev/fd": ("/proc/self/fd",), "/dev/core": ("/proc/kcore",), "/dev/shm": ("/run/shm",),
    "/run/shm": ("/dev/shm",), "/etc/mtab": ("/proc/self/mounts",),
    # RHEL's SysV folders, systemd's files in /etc
    "/etc/init.d": ("/etc/rc.d/init.d",), "/etc/rc.local": ("/etc/rc.d/rc.local",),
    **{f"/etc/rc{n}.d": (f"/etc/rc.d/rc{n}.d",) for n in range(7)},
    "/etc/os-release": ("/usr/lib/os-release",), "/var/lib/dbus/machine-id": ("/etc/machine-id",),
    "/etc/resolv.conf": ("/run/systemd/resolve/stub-resolv.conf", "/run/resolvconf/resolv.conf"),
    # ostree systems (Fedora Silverblue, CoreOS): the writable folders live in /var
    "/home": ("/var/home",), "/root": ("/var/roothome",), "/opt": ("/var/opt",),
    "/srv": ("/var/srv",), "/mnt": ("/var/mnt",), "/media": ("/run/media",),
    "/usr/local": ("/var/usrlocal",),
    # links whose target is shallower or elsewhere than their lexical parent's child (attack
    # b11f, finding 4; from `find / -xtype d -type l` on Debian 12, Ubuntu and RHEL 9): the
    # systemd package's, x11-common's, man-db's, appstream's, RHEL httpd's
    "/etc/xdg/systemd/user": ("/etc/systemd/user",), "/usr/bin/X11": ("/usr/bin",),
    "/usr/local/man": ("/usr/local/share/man",), "/var/lib/app-info": ("/var/lib/swcatalog",),
    "/etc/httpd/logs": ("/var/log/httpd",), "/etc/httpd/run": ("/run/httpd",),
    "/etc/httpd/state": ("/var/lib/httpd",), "/etc/httpd/modules": ("/usr/lib64/httpd/modules",),
    "/usr/lib/debug/bin": ("/usr/lib/debug/usr/bin",), "/usr/lib/debug/sbin": ("/usr/lib/debug/usr/sbin",),
    "/usr/lib/debug/lib": ("/usr/lib/debug/usr/lib",), "/usr/lib/debug/lib64": ("/usr/lib/debug/usr/lib64",),
    "/etc/pki/tls/certs": ("/etc/pki/tls/certs", "/etc/pki/ca-trust/extracted/pem"),
    "/etc/nginx/logs": ("/var/log/nginx",), "/usr/share/nginx/logs": ("/var/log/nginx",),
    "/etc/ssl/private": ("/etc/ssl/private", "/etc/pki/tls/private"),
}  # fmt: skip

# Links whose targets no table knows: a `..` after one is unknown.
_UNKNOWN_TARGETS = re.compile(
    r"/etc/alternatives/[^/]+|/etc/static|/var/service|/run/current-system|/usr/lib/jvm/[^/]+"
    r"|/(?:usr/)?lib/modules/[^/]+/(?:build|source)|/usr/src/linux"
    # packages' link farms (b11f, finding 4's class): llvm's build/Release -> .., kernel headers,
    # runit's service folders, the supervise folders runit keeps in /run
    r"|/usr/lib/llvm-[^/]+/.+|/usr/src/[^/]+/.+|/usr/lib/debug/usr/lib/jvm/[^/]+"
    r"|/etc/runit/runsvdir/[^/]+(?:/[^/]+)?|/etc/service/[^/]+|/etc/sv/[^/]+/supervise"
    r"|/usr/local/cuda[^/]*/.+"
    r"|/sys/(?:class/[^/]+/[^/]+|block/[^/]+|bus/[^/]+/(?:devices|drivers)/[^/]+|dev/[^/]+/[^/]+"
    r"|devices/.+/(?:subsystem|driver|device|firmware_node|port))"
    r"|/dev/(?:disk/[^/]+/[^/]+|mapper/[^/]+|block/[^/]+|char/[^/]+|[^/]+/[^/]+)"
)

# At most this many readings of one path; past it the path is unknown.
_MOST_READINGS = 16


def link_readings(path: str) -> list[str] | None:
    """Each path an absolute `path` may name on a stock system, its links followed: `path`
    itself first (where no link is one), then each with a stock link's target in place of the
    link (`/var/run/../etc` also gives /run/../etc). None (unknown) when a `..` follows a link
    whose target no table knows, or the readings are too many. The readings are not
    normalised (paths.through_proc reads them); a relative path is returned as it is."""
    if not path.startswith("/"):
        return [path]
    parts = [p for p in path.split("/") if p not in ("", ".")]
    readings: list[list[str]] = [[]]
    for index, part in enumerate(parts):
        more: list[list[str]] = []
        for reading in readings:
            reading.append(part)
            if part == "..":
                continue
            here = _lexical(reading)
            if ".." in parts[index + 1:] and _UNKNOWN_TARGETS.fullmatch(here):
                return None
            more += [[p for p in target.split("/") if p] for target in _LINKS.get(here, ())]
        readings += more
        if len(readings) > _MOST_READINGS:
            return None
    return list(dict.fromkeys([path, *("/" + "/".join(r) for r in readings[1:])]))


def _lexical(parts: list[str]) -> str:
    """The absolute path `parts` name, `..` taken lexically (`..` of / is /)."""
    kept: list[str] = []
    for part in parts:
        if part == "..":
            kept = kept[:-1]
        else:
            kept.append(part)
    return "/" + "/".join(kept)


# Homes of the accounts a stock system (or a common package) creates, each with every home a
# supported distribution gives it (Debian's base-passwd, RHEL's setup, Arch's filesystem,
# Alpine's, and the daemons' packages).
_HOMES: dict[str, tuple[str, ...]] = {
    "root": ("/root", "/var/roothome"), "daemon": ("/usr/sbin", "/sbin", "/"),
    "bin": ("/bin", "/"), "sys": ("/dev",), "sync": ("/bin", "/sbin"), "games": ("/usr/games",),
    "man": ("/var/cache/man",), "lp": ("/var/spool/lpd",), "mail": ("/var/mail", "/var/spool/mail"),
    "news": ("/var/spool/news", "/usr/lib/news"), "uucp": ("/var/spool/uucp", "/var/spool/uucppublic"),
    "proxy": ("/bin",), "www-data": ("/var/www",), "backup": ("/var/backups",), "list": ("/var/list",),
    "irc": ("/run/ircd", "/var/run/ircd"), "gnats": ("/var/lib/gnats",), "nobody": ("/nonexistent", "/"),
    "_apt": ("/nonexistent",), "adm": ("/var/adm",), "shutdown": ("/sbin",), "halt": ("/sbin",),
    "operator": ("/root",), "ftp": ("/srv/ftp", "/var/ftp", "/var/lib/ftp"), "http": ("/srv/http",),
    "apache": ("/usr/share/httpd", "/var/www"), "nginx": ("/var/lib/nginx", "/nonexistent"),
    "sshd": ("/run/sshd", "/var/empty/sshd", "/usr/share/empty.sshd", "/dev/null", "/var/empty"),
    "postgres": ("/var/lib/postgresql", "/var/lib/pgsql", "/var/lib/postgres"),
    "mysql": ("/nonexistent", "/var/lib/mysql"), "redis": ("/var/lib/redis",),
    "messagebus": ("/nonexistent", "/run/dbus", "/var/run/dbus"), "dbus": ("/",),
    "systemd-network": ("/run/systemd", "/"), "systemd-resolve": ("/run/systemd", "/"),
    "systemd-timesync": ("/run/systemd", "/"), "systemd-coredump": ("/",),
    "syslog": ("/home/syslog", "/nonexistent"), "uuidd": ("/run/uuidd",), "tss": ("/var/lib/tpm",
    "/dev/null"),
    "landscape": ("/var/lib/landscape",),
    "pollinate": ("/var/cache/pollinate",),
    "chrony": ("/var/lib/chrony",),
    "_chrony": ("/var/lib/chrony",), "statd": ("/var/lib/nfs",),
    "rpc": ("/var/lib/rpcbind",), "rpcuser": ("/var/lib/nfs",), "postfix": ("/var/spool/postfix",),
    "Debian-exim": ("/var/spool/exim4",), "bind": ("/var/cache/bind",), "named": ("/var/named",),
    "unbound": ("/etc/unbound", "/var/lib/unbound"), "avahi": ("/run/avahi-daemon", "/var/run/avahi-daemon"),
    "colord": ("/var/lib/colord",), "rtkit": ("/proc",), "haproxy": ("/var/lib/haproxy",),
    "memcached": ("/run/memcached", "/nonexistent"), "cron": ("/var/spool/cron",),
    "at": ("/var/spool/cron/atjobs",), "smmsp": ("/var/spool/mqueue",), "squid": ("/var/cache/squid",),
    "xfs": ("/etc/X11/fs",), "polkitd": ("/", "/nonexistent"), "usbmux": ("/var/lib/usbmux",),
    "lxd": ("/var/snap/lxd/common/lxd",), "gdm": ("/var/lib/gdm3", "/var/lib/gdm"),
    "lightdm": ("/var/lib/lightdm",), "saned": ("/var/lib/saned",), "pulse": ("/run/pulse", "/var/run/pulse"),
    "geoclue": ("/var/lib/geoclue",), "sssd": ("/",), "qemu": ("/",), "ceph": ("/var/lib/ceph",),
    "zabbix": ("/var/lib/zabbix",), "nagios": ("/var/spool/nagios", "/var/lib/nagios"),
    "mongodb": ("/var/lib/mongodb",), "mongod": ("/var/lib/mongo",), "git": ("/usr/share/git",
    "/var/lib/git"),
    "jenkins": ("/var/lib/jenkins",), "tomcat": ("/var/lib/tomcat", "/usr/share/tomcat"),
    "guest": ("/dev/null",), "fwupd-refresh": ("/run/systemd", "/var/lib/fwupd"),
    "_rpc": ("/run/rpcbind",), "sddm": ("/var/lib/sddm",),
    # RHEL's and Ubuntu's daemons' accounts (attack b11f's suspicion: tcpdump's home is / on
    # RHEL, kernoops' on Ubuntu)
    "abrt": ("/etc/abrt",), "openvpn": ("/etc/openvpn", "/nonexistent"), "kernoops": ("/",),
    "nm-openvpn": ("/var/lib/openvpn/chroot", "/"), "nm-openconnect": ("/",),
    "systemd-oom": ("/",), "pipewire": ("/var/run/pipewire", "/run/pipewire"),
    "nfsnobody": ("/var/lib/nfs",), "setroubleshoot": ("/var/lib/setroubleshoot",),
    "cockpit-ws": ("/nonexisting", "/"), "cockpit-wsinstance": ("/nonexisting", "/"),
    "clevis": ("/var/cache/clevis",), "libstoragemgmt": ("/var/run/lsm", "/run/lsm"),
    "radvd": ("/",), "pcp": ("/var/lib/pcp",), "gluster": ("/run/gluster", "/var/run/gluster"),
    "dovecot": ("/usr/libexec/dovecot",), "dovenull": ("/usr/libexec/dovecot",),
    "mailnull": ("/var/spool/mqueue",), "ldap": ("/var/lib/ldap",), "openldap": ("/var/lib/ldap",),
    "saslauth": ("/run/saslauthd", "/var/empty/saslauth"), "nscd": ("/", "/var/run/nscd"),
    "usbmuxd": ("/",), "speech-dispatcher": ("/run/speech-dispatcher", "/var/run/speech-dispatcher"),
    "hplip": ("/run/hplip", "/var/run/hplip"), "whoopsie": ("/nonexistent",),
    "cups-pk-helper": ("/home/cups-pk-helper", "/nonexistent"), "gopher": ("/var/gopher",),
    "avahi-autoipd": ("/var/lib/avahi-autoipd",), "Debian-snmp": ("/var/lib/snmp",),
    "snmp": ("/var/lib/net-snmp", "/var/lib/snmp"), "stunnel4": ("/var/run/stunnel4",),
    "clamav": ("/var/lib/clamav",), "amavis": ("/var/lib/amavis",), "opendkim": ("/run/opendkim",),
    "prometheus": ("/var/lib/prometheus",), "grafana": ("/usr/share/grafana",),
    "elasticsearch": ("/nonexistent", "/usr/share/elasticsearch"), "systemd-bus-proxy": ("/",),
    "tcpdump": ("/nonexistent", "/"), "ntp": ("/nonexistent", "/var/empty", "/etc/ntp"),
    "dnsmasq": ("/var/lib/misc", "/var/lib/dnsmasq", "/"), "_flatpak": ("/nonexistent",),
    "nvidia-persistenced": ("/nonexistent",), "rngd": ("/var/lib/rngd",),
    "pesign": ("/run/pesign", "/var/run/pesign"),
}  # fmt: skip


def home_readings(user: str, login: str | None) -> tuple[str, ...]:
    """Each home `~user` may name: the login's own is /root for root and /home/LOGIN for
    another; a stock account's, each home a stock system gives it; any other account's is
    taken to be /home/USER (README: a home changed on the target, `usermod -d`, is not seen)."""
    if user == login:
        return ("/root",) if user == "root" else (f"/home/{user}",)
    return _HOMES.get(user, (f"/home/{user}",))
