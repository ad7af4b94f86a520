-- Version 12 is another branch's (issue 13); this empty stand-in keeps the versions consecutive on the webhooks
-- branch and is dropped when the branches are merged.
SELECT 1;
