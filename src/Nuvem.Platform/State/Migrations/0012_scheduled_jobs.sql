-- Version 12: Heroku Scheduler's jobs. schedule is always a 5-field cron in UTC (Heroku's "every 10 minutes",
-- "hourly at :MM" and "daily at HH:MM" are stored as their cron). next_run is the next tick due; last_tick the last
-- tick claimed: a tick runs only after an UPDATE moved last_tick forward to it, so it never runs twice.
-- Timestamps are Timestamp.Format text (UTC, fixed width): they compare as strings.
CREATE TABLE scheduled_jobs (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    command     TEXT NOT NULL,
    schedule    TEXT NOT NULL,
    size        TEXT NULL,
    last_tick   TEXT NULL,
    next_run    TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX scheduled_jobs_app ON scheduled_jobs(app_id);
CREATE INDEX scheduled_jobs_due ON scheduled_jobs(next_run);
