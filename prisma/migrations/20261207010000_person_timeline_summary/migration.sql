-- Each person's timeline in two figures (issue 21), for interactionMetadata's workspace: read as a
-- relation of the person (Prisma's `view PersonTimelineSummary`), so the person's one statement
-- carries them. PostgreSQL pushes the person's id into the grouped view, so each person costs an
-- index scan of their own events (TimelineEvent_personId_occurredAt_id_idx), not the whole table.
CREATE VIEW "PersonTimelineSummary" AS
SELECT "personId", COUNT(*)::int AS "eventCount", MAX("occurredAt") AS "lastEventAt"
FROM "TimelineEvent"
GROUP BY "personId";
