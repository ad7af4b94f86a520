-- Version 10: add-ons (Heroku's add-on resources) and their attachments to apps.
-- An add-on belongs to one owning app and has a globally unique name; its provider's exported config is kept by
-- suffix ({"URL": "postgres://…"}: secrets, never logged) and becomes <ATTACHMENT>_<SUFFIX> config vars in every app
-- it is attached to. An attachment name is unique per app; it is the prefix of the vars it sets there.
CREATE TABLE addons (
    id                TEXT PRIMARY KEY,
    name              TEXT NOT NULL UNIQUE,
    app_id            TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    service           TEXT NOT NULL,
    plan              TEXT NOT NULL,
    state             TEXT NOT NULL,
    provider_id       TEXT NULL,
    config            TEXT NOT NULL DEFAULT '{}',
    provision_message TEXT NULL,
    -- What the create asked for, so that provisioning resumed after a restart attaches as it would have.
    options           TEXT NOT NULL DEFAULT '{}',
    user_id           TEXT NULL REFERENCES users(id) ON DELETE SET NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL
);
CREATE INDEX addons_app ON addons(app_id);

CREATE TABLE addon_attachments (
    id         TEXT PRIMARY KEY,
    addon_id   TEXT NOT NULL REFERENCES addons(id) ON DELETE CASCADE,
    app_id     TEXT NOT NULL REFERENCES apps(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    namespace  TEXT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (app_id, name)
);
CREATE INDEX addon_attachments_addon ON addon_attachments(addon_id);

-- The add-on plans attached to the app when each release was made (Heroku's release.addon_plan_names).
ALTER TABLE releases ADD COLUMN addon_plan_names TEXT NOT NULL DEFAULT '[]';
