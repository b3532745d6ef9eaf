-- The sign-in methods beside the password.
-- `webauthn_handle`: the random id passkeys carry for the account (WebAuthn's user handle), made
-- with its first passkey; `totp_secret`: the authenticator app's secret, sealed with a key
-- kept outside the database (so a copy of the database alone does not reveal it);
-- `totp_last_step`: the 30-second step of the last code accepted, so no code works twice.
ALTER TABLE users ADD COLUMN webauthn_handle TEXT;
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_last_step INTEGER;
CREATE UNIQUE INDEX users_by_webauthn_handle ON users (webauthn_handle);

-- Passkeys: `credential_id` (base64url) is how a browser names one at sign-in; `passkey` is
-- webauthn-rs's record of it (public key, counter, flags) as JSON.
CREATE TABLE passkeys (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    credential_id TEXT    NOT NULL UNIQUE,
    name          TEXT    NOT NULL,
    passkey       TEXT    NOT NULL,
    synced        INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX passkeys_by_account ON passkeys (account_id);

-- Recovery codes, hashed (SHA-256 of a code with 60 bits of randomness); a used one is deleted.
CREATE TABLE recovery_codes (
    account_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    code_hash  TEXT    NOT NULL,
    PRIMARY KEY (account_id, code_hash)
);
