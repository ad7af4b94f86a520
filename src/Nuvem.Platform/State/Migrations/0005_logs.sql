-- Version 5 is the log stream's (the logplex branch adds it). This placeholder keeps the numbering consecutive
-- on the router branch until that lands; when merging, the logplex branch's 0005 replaces this file.
SELECT 1;
