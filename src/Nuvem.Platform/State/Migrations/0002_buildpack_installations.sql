-- Version 2: the buildpacks an app is built with, in order (empty = detect among the built-in ones).

CREATE TABLE buildpack_installations (
    app_id  TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    ordinal INTEGER NOT NULL,
    url     TEXT NOT NULL,
    PRIMARY KEY (app_id, ordinal)
);

-- Where a build's output is kept, and what it was about.
ALTER TABLE builds ADD COLUMN output_path TEXT NULL;
ALTER TABLE builds ADD COLUMN buildpacks TEXT NULL;
