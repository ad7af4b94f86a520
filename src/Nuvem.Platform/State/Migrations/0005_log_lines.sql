-- Version 5: the log stream (logplex). The last N lines of every app, so logs survive restarts and deploys.
-- Ids are unique across apps and increase with time (microseconds since the epoch, bumped on collisions), so
-- a per-app query by id is also a query in publishing order, and Last-Event-ID works across restarts.
CREATE TABLE log_lines (
    id         INTEGER PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    source     TEXT NOT NULL,
    dyno       TEXT NOT NULL,
    message    TEXT NOT NULL
);
CREATE INDEX log_lines_app ON log_lines(app_id, id);
