-- Secrets every instance must share and that must survive restarts, made by the first server
-- to start: `device_cookie` signs the long-lived device cookies of the sign-in throttle.
CREATE TABLE server_secrets (
    name  TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
