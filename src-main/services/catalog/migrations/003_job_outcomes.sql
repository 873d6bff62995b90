-- What the job queue needs beyond the first jobs table. `result` is what a job has made so far (JSON written by
-- its runner, partial while it runs), so a job resumed after a pause or a crash skips finished work and a
-- finished one says what it made. `error_code` and `error_hint` complete `error` (the message) so the UI can
-- branch on a failure and tell the photographer what to do. `interruptions` counts the crashes of the broker
-- or of a host while the job ran: the queue re-queues an interrupted job a bounded number of times.
ALTER TABLE jobs ADD COLUMN result TEXT;
ALTER TABLE jobs ADD COLUMN error_code TEXT;
ALTER TABLE jobs ADD COLUMN error_hint TEXT;
ALTER TABLE jobs ADD COLUMN interruptions INTEGER NOT NULL DEFAULT 0 CHECK (interruptions >= 0);
