-- Each account's security activity (sign-ins, failures, password changes, ended sessions,
-- re-authentications, administrators' actions), kept for 90 days. Never a password or a cookie.
-- `actor` names who did it when it was not the account itself (an administrator); `subject`
-- names the account acted on, on the administrator's own copy of the event; `detail` says more
-- where the kind needs it (the new role).
CREATE TABLE security_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    at         INTEGER NOT NULL,
    device     TEXT,
    address    TEXT,
    actor      TEXT,
    subject    TEXT,
    detail     TEXT
);

CREATE INDEX security_events_by_account ON security_events (account_id, id DESC);
CREATE INDEX security_events_by_time ON security_events (at);
