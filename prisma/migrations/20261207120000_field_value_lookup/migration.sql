-- How cost grows (issue 20): `people(filter: { customFields: [{ field, eq | in }] })` found its
-- values through PersonFieldValue_fieldId_idx alone, so it read every value of the field (all the
-- organisation's people who have one) to keep the few equal to the one asked for: 88 ms at 100,000
-- people, ten times that at a million. A hash index finds the equal values themselves. Hash, not
-- B-tree: a value is any JSON, and a long one would not fit a B-tree entry.

-- CreateIndex
CREATE INDEX "PersonFieldValue_value_idx" ON "PersonFieldValue" USING HASH ("value");
