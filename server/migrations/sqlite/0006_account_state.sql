-- What administrators change besides the role: a disabled account cannot sign in and its
-- sessions end; an account with a one-time password must choose its own at first sign-in.
-- `last_sign_in_at` (Unix seconds) is shown in the administrators' list.
ALTER TABLE users ADD COLUMN disabled INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN last_sign_in_at INTEGER;
