-- Version 13: app webhooks (Heroku's /apps/{app}/webhooks), the events they were offered and the deliveries of
-- each event to each webhook, with the last attempt's outcome. Everything goes with its app.
CREATE TABLE webhooks (
    id            TEXT PRIMARY KEY,
    app_id        TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    url           TEXT NOT NULL,
    level         TEXT NOT NULL,
    include_json  TEXT NOT NULL,
    secret        TEXT,
    authorization_header TEXT,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE INDEX webhooks_app ON webhooks(app_id);

CREATE TABLE webhook_events (
    id           TEXT PRIMARY KEY,
    app_id       TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    include      TEXT NOT NULL,
    payload_json TEXT NOT NULL,
    created_at   TEXT NOT NULL
);
CREATE INDEX webhook_events_app ON webhook_events(app_id, created_at);

CREATE TABLE webhook_deliveries (
    id              TEXT PRIMARY KEY,
    app_id          TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    webhook_id      TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
    status          TEXT NOT NULL,
    num_attempts    INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_code       INTEGER,
    last_error      TEXT,
    last_attempt_at TEXT,
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX webhook_deliveries_app ON webhook_deliveries(app_id, created_at);
