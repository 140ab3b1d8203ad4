-- The agent process currently attached as this worker (an id it keeps in its work dir, so a restart is the same
-- one). Another process with the same worker token is refused while this one heartbeats (register-worker.ts).
ALTER TABLE "Worker" ADD COLUMN "instanceId" TEXT;
