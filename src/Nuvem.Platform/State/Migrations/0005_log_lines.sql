-- Version 5 belongs to the log stream (branch logplex, 0005_log_lines.sql). This placeholder only keeps the
-- numbering consecutive on the router branch; when merging, take the logplex branch's file instead of this one.
SELECT 1;
