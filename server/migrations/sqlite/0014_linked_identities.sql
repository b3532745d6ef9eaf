-- Identities at the OpenID provider, each linked to one local account. (`issuer`, `subject`)
-- is the provider's stable name for a person, and the only thing a sign-in through it is
-- matched on: never an e-mail address, which a provider may let anyone claim.
CREATE TABLE linked_identities (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    account_id   INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    issuer       TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    display_name TEXT,
    created_at   INTEGER NOT NULL,
    last_used_at INTEGER,
    UNIQUE (issuer, subject)
);
CREATE INDEX linked_identities_by_account ON linked_identities (account_id);

-- An account made at its first sign-in through the provider has no password until it is given
-- one: then the password is not one of its ways in.
ALTER TABLE users ADD COLUMN has_password INTEGER NOT NULL DEFAULT 1;
