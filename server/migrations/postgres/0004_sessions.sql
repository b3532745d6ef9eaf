-- Signed-in sessions, indexed by account so that one account's sessions can be listed and
-- ended without scanning everyone's. `data` is the session's JSON; `expires_at` (Unix seconds)
-- follows the session's own deadline. Replaces tower-sessions-sqlx-store's
-- `tower_sessions.session`, whose records could not be found by account.
-- Kept in step with ../sqlite/0004_sessions.sql.
CREATE TABLE sessions (
    id         TEXT   PRIMARY KEY NOT NULL,
    account_id BIGINT REFERENCES users (id) ON DELETE CASCADE,
    data       TEXT   NOT NULL,
    expires_at BIGINT NOT NULL
);

CREATE INDEX sessions_by_account ON sessions (account_id);
CREATE INDEX sessions_by_expiry ON sessions (expires_at);

DROP SCHEMA IF EXISTS tower_sessions CASCADE;
