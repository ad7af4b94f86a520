-- Version 4: each app builds (and, later, runs) as its own unprivileged uid.
ALTER TABLE apps ADD COLUMN uid INTEGER NULL;
UPDATE apps SET uid = 20000 + (SELECT COUNT(*) FROM apps AS earlier WHERE earlier.created_at < apps.created_at OR (earlier.created_at = apps.created_at AND earlier.id <= apps.id));
CREATE UNIQUE INDEX apps_uid ON apps(uid);
