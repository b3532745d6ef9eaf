-- Signed-in sessions, indexed by account so that one account's sessions can be listed and
-- ended without scanning everyone's. `data` is the session's JSON; `expires_at` (Unix seconds)
-- follows the session's own deadline. Replaces tower-sessions-sqlx-store's `tower_sessions`
-- table, whose records could not be found by account: sessions from before this version end.
CREATE TABLE sessions (
    id         TEXT    PRIMARY KEY NOT NULL,
    account_id INTEGER REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT    NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

DROP TABLE IF EXISTS tower_sessions;
