-- Version 9: a slug registered through the API gets its tarball afterwards, as on Heroku: a PUT to the one-time URL in
-- the slug's blob. Until then (blob_state 'awaiting') it cannot be released. Only a SHA-256 of the URL's token is kept.
-- Slugs the builder packs are stored at once ('stored', the default). Slugs registered before this version never had a
-- tarball of their own (size NULL): they stay unreleasable, and nothing can upload to them.
ALTER TABLE slugs ADD COLUMN blob_state TEXT NOT NULL DEFAULT 'stored';
ALTER TABLE slugs ADD COLUMN blob_token_hash TEXT NULL;
UPDATE slugs SET blob_state = 'awaiting' WHERE size IS NULL;
