-- Seed 002's note list across people (Query.notes): an organisation's notes in the default order
-- (flagged first, then newest, then id), read from the index rather than sorted in full.
CREATE INDEX "Note_organizationId_flagged_createdAt_id_idx" ON "Note"("organizationId", "flagged", "createdAt", "id");
