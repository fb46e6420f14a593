-- Shutdown (issue 10): an import stopped by a shutdown or by the death of its process is
-- INTERRUPTED, with the rows it committed; heartbeatAt tells a running import whose process is
-- alive (it keeps the time fresh) from one whose process died.
--
-- src/db/migrate.ts runs each migration in one transaction. ADD VALUE may run inside one (since
-- PostgreSQL 12), but the new value cannot be used before that transaction commits: nothing
-- here uses it.
ALTER TYPE "ImportStatus" ADD VALUE 'INTERRUPTED';

ALTER TABLE "Import" ADD COLUMN "heartbeatAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP;

-- The sweep for imports left running looks them up by status and heartbeat.
CREATE INDEX "Import_status_heartbeatAt_idx" ON "Import"("status", "heartbeatAt");
