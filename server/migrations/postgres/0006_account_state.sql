-- What administrators change besides the role: a disabled account cannot sign in and its
-- sessions end; an account with a one-time password must choose its own at first sign-in.
-- `last_sign_in_at` (Unix seconds) is shown in the administrators' list.
-- Kept in step with ../sqlite/0006_account_state.sql.
ALTER TABLE users ADD COLUMN disabled BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN must_change_password BOOLEAN NOT NULL DEFAULT FALSE;
ALTER TABLE users ADD COLUMN last_sign_in_at BIGINT;
