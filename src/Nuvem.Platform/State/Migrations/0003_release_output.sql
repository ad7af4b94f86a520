-- Version 3: the stored output of a release's release phase.
ALTER TABLE releases ADD COLUMN output_path TEXT NULL;
