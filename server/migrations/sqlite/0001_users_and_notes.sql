-- Accounts. `username_folded` makes names unique without regard to ASCII case;
-- `session_epoch` is bumped by a password change, which ends every session made before it.
CREATE TABLE users (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    username        TEXT    NOT NULL,
    username_folded TEXT    NOT NULL UNIQUE,
    password_hash   TEXT    NOT NULL,
    role            TEXT    NOT NULL CHECK (role IN ('user', 'admin')),
    session_epoch   INTEGER NOT NULL DEFAULT 0,
    created_at      INTEGER NOT NULL
);

-- Per-user notes; `version` is bumped by every edit (optimistic concurrency).
CREATE TABLE notes (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    title      TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    version    INTEGER NOT NULL DEFAULT 1,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);

CREATE INDEX notes_by_user ON notes (user_id, updated_at DESC, id DESC);
