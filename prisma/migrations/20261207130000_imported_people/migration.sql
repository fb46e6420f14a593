-- Import.people (issue 24): the people an import wrote, in row order, read from the IMPORTED
-- timeline events, which carry the import's id and the row's number. An expression index over
-- just those events finds one import's rows in order, so a page costs its own rows whatever the
-- size of the timeline. Events written before rows were numbered have no `row` and are not listed.

-- CreateIndex
CREATE INDEX "TimelineEvent_importId_row_idx" ON "TimelineEvent" ((("data" ->> 'importId')), ((("data" ->> 'row'))::integer)) WHERE "type" = 'IMPORTED';
