-- Version 6: custom domains. An app's default host (NAME.NUVEM_DOMAIN) is not stored: it follows the app's name.
-- A host name belongs to at most one app.
CREATE TABLE domains (
    id         TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    hostname   TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX domains_app ON domains(app_id);
