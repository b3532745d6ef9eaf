-- Moves each time one of the account's sessions is ended (after the store has deleted it).
-- A write asked for by a session locks its account's row and then checks the session; an
-- ending moves this column after deleting, which waits for that lock, so no write commits
-- after the ending has answered.
-- Kept in step with ../sqlite/0011_session_generation.sql.
ALTER TABLE users ADD COLUMN session_generation BIGINT NOT NULL DEFAULT 0;
