-- Version 11: Postgres backups and restores (Heroku's "transfers") and daily backup schedules.
-- A transfer belongs to the app that owns the add-on; num is one sequence per app shared by backups (b001, scheduled
-- a002) and restores (r003), as Heroku numbers them. The add-on is not a foreign key: a backup outlives nothing but
-- its app, and names the add-on and database it came from. file is the dump's name under the cluster's backups/<database>/.
CREATE TABLE pg_transfers (
    id              TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    num             INTEGER NOT NULL,
    kind            TEXT NOT NULL,            -- backup | restore
    scheduled       INTEGER NOT NULL DEFAULT 0,
    addon_id        TEXT NOT NULL,
    addon_name      TEXT NOT NULL,
    database        TEXT NOT NULL,
    source_id       TEXT NULL,                -- restore: the backup restored
    source_name     TEXT NULL,
    file            TEXT NULL,
    source_bytes    INTEGER NULL,
    processed_bytes INTEGER NOT NULL DEFAULT 0,
    succeeded       INTEGER NULL,
    verified        INTEGER NULL,
    error           TEXT NULL,
    logs            TEXT NOT NULL DEFAULT '[]',
    created_at      TEXT NOT NULL,
    started_at      TEXT NULL,
    finished_at     TEXT NULL,
    canceled_at     TEXT NULL,
    updated_at      TEXT NOT NULL,
    UNIQUE (app_id, num)
);
CREATE INDEX pg_transfers_addon ON pg_transfers(addon_id);

-- One daily schedule per add-on: a capture at hour:00 in the IANA time zone; next_run_at in UTC.
CREATE TABLE pg_transfer_schedules (
    id          TEXT PRIMARY KEY,
    addon_id    TEXT NOT NULL UNIQUE REFERENCES addons(id) ON DELETE CASCADE,
    name        TEXT NOT NULL,
    hour        INTEGER NOT NULL,
    timezone    TEXT NOT NULL,
    next_run_at TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
