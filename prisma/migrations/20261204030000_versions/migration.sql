-- Optimistic concurrency (issue 12): a person and a note carry a version, 1 when created and one
-- more with every change, which a write may name as expectedVersion to refuse a stale edit.

-- AlterTable
ALTER TABLE "Person" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;

-- AlterTable
ALTER TABLE "Note" ADD COLUMN "version" INTEGER NOT NULL DEFAULT 1;
