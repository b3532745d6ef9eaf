-- Why a session was ended, for the browser still holding its cookie: the sign-in page says
-- "Your password was changed" or "This session was ended from another device" rather than
-- only "Please sign in". Keyed by the SHA-256 of the session id; kept a day.
-- Kept in step with ../postgres/0013_ended_sessions.sql.
CREATE TABLE ended_sessions (
    id_hash TEXT PRIMARY KEY NOT NULL,
    reason TEXT NOT NULL,
    ended_at INTEGER NOT NULL
);
CREATE INDEX ended_sessions_by_time ON ended_sessions (ended_at);
