-- Version 7: log drains, the URLs an app's log stream is to be copied to (delivery comes later; for now they are
-- stored and listed). A URL is added to an app at most once.
CREATE TABLE log_drains (
    id         TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    url        TEXT NOT NULL,
    token      TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (app_id, url)
);
