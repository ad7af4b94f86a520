-- Version 1: accounts, apps, config vars, slugs, releases, formation, builds, dynos.
-- Timestamps are ISO-8601 UTC text; ids are UUID text. Config vars are JSON objects of strings.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE COLLATE NOCASE,
    password_hash TEXT NOT NULL,
    is_admin      INTEGER NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

-- API tokens ("authorizations" in Heroku's API). Only a SHA-256 of each token is kept.
CREATE TABLE authorizations (
    id          TEXT PRIMARY KEY,
    user_id     TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash  TEXT NOT NULL UNIQUE,
    description TEXT NOT NULL DEFAULT '',
    scope       TEXT NOT NULL DEFAULT 'global',
    expires_at  TEXT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX authorizations_user ON authorizations(user_id);

CREATE TABLE apps (
    id          TEXT PRIMARY KEY,
    name        TEXT NOT NULL UNIQUE,
    owner_id    TEXT NOT NULL REFERENCES users(id),
    region      TEXT NOT NULL,
    stack       TEXT NOT NULL,
    maintenance INTEGER NOT NULL DEFAULT 0,
    config_vars TEXT NOT NULL DEFAULT '{}',
    repo_size   INTEGER NULL,
    released_at TEXT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX apps_owner ON apps(owner_id);

CREATE TABLE slugs (
    id                             TEXT PRIMARY KEY,
    app_id                         TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    process_types                  TEXT NOT NULL DEFAULT '{}',
    commit_sha                     TEXT NULL,
    commit_description             TEXT NULL,
    buildpack_provided_description TEXT NULL,
    stack                          TEXT NOT NULL,
    checksum                       TEXT NULL,
    size                           INTEGER NULL,
    created_at                     TEXT NOT NULL,
    updated_at                     TEXT NOT NULL
);
CREATE INDEX slugs_app ON slugs(app_id);

CREATE TABLE releases (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    version     INTEGER NOT NULL,
    description TEXT NOT NULL,
    status      TEXT NOT NULL,
    user_id     TEXT NULL REFERENCES users(id) ON DELETE SET NULL,
    slug_id     TEXT NULL REFERENCES slugs(id),
    config_vars TEXT NOT NULL DEFAULT '{}',
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (app_id, version)
);

-- Desired state: how many dynos of each process type, at which size.
CREATE TABLE formations (
    id         TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    type       TEXT NOT NULL,
    command    TEXT NOT NULL,
    quantity   INTEGER NOT NULL,
    size       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (app_id, type)
);

CREATE TABLE builds (
    id          TEXT PRIMARY KEY,
    app_id      TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    status      TEXT NOT NULL,
    user_id     TEXT NULL REFERENCES users(id) ON DELETE SET NULL,
    slug_id     TEXT NULL REFERENCES slugs(id),
    release_id  TEXT NULL REFERENCES releases(id),
    source_url  TEXT NULL,
    source_version TEXT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
);
CREATE INDEX builds_app ON builds(app_id);

-- Observed state of dynos, written by the dyno manager.
CREATE TABLE dynos (
    id         TEXT PRIMARY KEY,
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL,
    command    TEXT NOT NULL,
    state      TEXT NOT NULL,
    size       TEXT NOT NULL,
    release_id TEXT NULL REFERENCES releases(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (app_id, name)
);
