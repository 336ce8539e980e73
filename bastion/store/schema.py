"""The one place the store's schema is defined, and the steps that upgrade an older one.

`SCHEMA` is the whole current schema, which a new database gets, and `meta.schema_version` says
which version a database has. Opening an older database upgrades it with the steps in
`MIGRATIONS` (version N-1 to N), in one transaction with the new version number, after a copy of
the old file is kept beside it (`bastion.db.vN-backup`; store/sqlite.py does this). A database
newer than this code is refused rather than used. A change to `SCHEMA` therefore comes with a
higher `SCHEMA_VERSION` and its step here (tests/test_store.py checks that an upgraded database
and a new one have the same schema).
"""

from __future__ import annotations

SCHEMA_VERSION = 5

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS counters (
    name TEXT PRIMARY KEY,
    value INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS users (
    name TEXT PRIMARY KEY,
    role TEXT NOT NULL,
    created REAL NOT NULL,
    locked INTEGER NOT NULL DEFAULT 0,
    lock_reason TEXT,
    removed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS keys (
    fingerprint TEXT PRIMARY KEY,
    user TEXT NOT NULL REFERENCES users(name),
    public_key TEXT NOT NULL,
    added REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mfa (
    user TEXT PRIMARY KEY REFERENCES users(name),
    secret BLOB NOT NULL,
    last_step INTEGER NOT NULL DEFAULT -1,
    enrolled REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS mfa_failures (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS mfa_failures_user ON mfa_failures(user, at);
CREATE TABLE IF NOT EXISTS requests (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    target TEXT NOT NULL,
    login TEXT NOT NULL,
    ticket TEXT NOT NULL,
    reason TEXT NOT NULL,
    duration REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'approved', 'denied', 'expired')),
    created REAL NOT NULL,
    expires REAL NOT NULL,
    decided_by TEXT,
    decided_at REAL,
    decision_reason TEXT
);
CREATE TABLE IF NOT EXISTS grants (
    id TEXT PRIMARY KEY,
    request_id TEXT,
    user TEXT NOT NULL,
    target TEXT NOT NULL,
    login TEXT NOT NULL,
    ticket TEXT NOT NULL,
    starts REAL NOT NULL,
    ends REAL NOT NULL,
    kind TEXT NOT NULL DEFAULT 'request',
    revoked INTEGER NOT NULL DEFAULT 0,
    revoked_at REAL,
    revoked_by TEXT,
    revoked_reason TEXT
);
CREATE INDEX IF NOT EXISTS grants_lookup ON grants(user, target, login);
CREATE INDEX IF NOT EXISTS requests_state ON requests(state);
CREATE TABLE IF NOT EXISTS certificates (
    serial INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('user', 'vendor', 'target', 'host')),
    key_id TEXT NOT NULL,
    principals TEXT NOT NULL,
    valid_after INTEGER NOT NULL,
    valid_before INTEGER NOT NULL,
    user TEXT,
    grant_id TEXT,
    ticket TEXT,
    session_id TEXT,
    subject_fingerprint TEXT,
    single_use INTEGER NOT NULL DEFAULT 0,
    use_count INTEGER NOT NULL DEFAULT 0,
    issued REAL NOT NULL,
    revoked INTEGER NOT NULL DEFAULT 0,
    revoked_at REAL,
    revoked_reason TEXT
);
CREATE TABLE IF NOT EXISTS sessions (
    id TEXT PRIMARY KEY,
    user TEXT NOT NULL,
    target TEXT NOT NULL,
    login TEXT NOT NULL,
    ticket TEXT NOT NULL,
    grant_id TEXT,
    serial INTEGER,
    client_addr TEXT,
    state TEXT NOT NULL CHECK (state IN ('active', 'ended', 'killed', 'interrupted', 'failed')),
    started REAL NOT NULL,
    ended REAL,
    end_reason TEXT,
    kill_requested REAL,
    kill_reason TEXT);
CREATE INDEX IF NOT EXISTS sessions_state ON sessions(state);
CREATE TABLE IF NOT EXISTS recordings (
    path TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    channel INTEGER NOT NULL,
    kind TEXT NOT NULL,
    started REAL NOT NULL,
    ended REAL,
    sha256 TEXT,
    running_offset INTEGER,
    running_sha256 TEXT
);
CREATE TABLE IF NOT EXISTS commands (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    session_id TEXT NOT NULL,
    channel INTEGER NOT NULL,
    at REAL NOT NULL,
    line TEXT NOT NULL,
    verdict TEXT NOT NULL,
    rule TEXT,
    message TEXT
);
CREATE TABLE IF NOT EXISTS held (
    id TEXT PRIMARY KEY,
    session_id TEXT NOT NULL,
    user TEXT NOT NULL,
    command TEXT NOT NULL,
    rule TEXT,
    since REAL NOT NULL,
    deadline REAL NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('pending', 'confirmed', 'rejected', 'expired', 'cancelled')),
    decided_by TEXT,
    decided_at REAL,
    reason TEXT
);
CREATE INDEX IF NOT EXISTS held_state ON held(state);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    at REAL NOT NULL,
    type TEXT NOT NULL,
    code TEXT NOT NULL,
    actor TEXT NOT NULL,
    data TEXT NOT NULL,
    prev_hash TEXT NOT NULL UNIQUE,
    hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_anchor (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    purged_at REAL NOT NULL
);
"""
# Version 3: every grant a certificate covers (a `cert TICKET` certificate covers each live grant
# of the ticket; `certificates.grant_id` holds one of them), so that revoking any one of them
# revokes the certificate; and the index that counts a person's recent certificates.
_V3 = (
    """CREATE TABLE IF NOT EXISTS certificate_grants (
    serial INTEGER NOT NULL,
    grant_id TEXT NOT NULL,
    PRIMARY KEY (serial, grant_id)
)""",
    "CREATE INDEX IF NOT EXISTS certificate_grants_grant ON certificate_grants(grant_id)",
    "CREATE INDEX IF NOT EXISTS certificates_user ON certificates(user, issued)",
)
SCHEMA += "".join(f"{statement};\n" for statement in _V3)
# Version 4: the `recordings` table is the one list of a session's recordings (sessions.recordings,
# a JSON copy of its file names, is gone: `sessions` reads the table, by this index). The sessions
# table above ends in "kill_reason TEXT)" because that is how SQLite leaves it after dropping the
# column, and an upgraded database must have the same schema as a new one.
_V4 = ("CREATE INDEX IF NOT EXISTS recordings_session ON recordings(session_id)",)
SCHEMA += "".join(f"{statement};\n" for statement in _V4)
# The console's session list reads each live session's last command and its count of alerts at
# every refresh: without this index each read scanned every command ever recorded (attack a10o).
# The console's audit view asks for the newest events of a type (audit.recent): without
# `events_type`, a rare type was looked for through every event.
_V5 = ("CREATE INDEX IF NOT EXISTS commands_session ON commands(session_id)",
       "CREATE INDEX IF NOT EXISTS commands_verdicts ON commands(session_id, verdict)",
       "CREATE INDEX IF NOT EXISTS events_type ON events(type, seq)")
SCHEMA += "".join(f"{statement};\n" for statement in _V5)

# MIGRATIONS[n]: the statements that take a version n-1 database to version n.
MIGRATIONS: dict[int, tuple[str, ...]] = {
    # The server polls live sessions, pending requests and pending held commands twice a
    # second; without these, each poll read every row ever written.
    2: ("CREATE INDEX IF NOT EXISTS sessions_state ON sessions(state)",
        "CREATE INDEX IF NOT EXISTS requests_state ON requests(state)",
        "CREATE INDEX IF NOT EXISTS held_state ON held(state)"),
    # Certificates issued before version 3 name every grant they cover in their key id
    # (`grant=g1,g2`); the recorded grant_id is one of them. Both go into certificate_grants.
    3: (*_V3,
        "INSERT OR IGNORE INTO certificate_grants(serial, grant_id) "
        "SELECT serial, grant_id FROM certificates WHERE grant_id IS NOT NULL",
        "WITH RECURSIVE listed(serial, rest) AS ("
        " SELECT serial, substr(key_id, instr(key_id, ' grant=') + 7) || ' ' FROM certificates"
        " WHERE instr(key_id, ' grant=') > 0),"
        " split(serial, grant_id, rest) AS ("
        " SELECT serial, '', substr(rest, 1, instr(rest, ' ') - 1) || ',' FROM listed"
        " UNION ALL SELECT serial, substr(rest, 1, instr(rest, ',') - 1),"
        " substr(rest, instr(rest, ',') + 1) FROM split WHERE rest != '')"
        " INSERT OR IGNORE INTO certificate_grants(serial, grant_id)"
        " SELECT serial, grant_id FROM split WHERE grant_id != ''"),
    # Every name in sessions.recordings has its row in `recordings` (both were written in one
    # transaction since the first release), except the recordings retention purged: their rows
    # and files are gone, and only the stale copy of the name is dropped here.
    4: ("ALTER TABLE sessions DROP COLUMN recordings", *_V4),
    5: _V5,
}
