-- Version 8: app uids are never reused. A destroyed app's uid may still own files (a build cache, a dyno's
-- leftovers, anything it wrote where its uid could write), so the next app must not get it: uids come from a
-- one-row sequence that only moves up, instead of MAX(uid) + 1 of the apps that exist now. It starts past every
-- uid in use (uids of apps destroyed before this version cannot be known any more).
CREATE TABLE app_uid_sequence (
    id       INTEGER PRIMARY KEY CHECK (id = 1),
    last_uid INTEGER NOT NULL
);
INSERT INTO app_uid_sequence (id, last_uid) SELECT 1, COALESCE(MAX(uid), 20000) FROM apps;
