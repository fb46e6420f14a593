-- Issue 24: personal data (erasure's audit record, suppression) and duplicates.

-- What stays of an erased person: who erased them, when and why (src/privacy/erasure.ts).
-- personId is a plain id, not a relation: the person no longer exists.
CREATE TABLE "PersonErasure" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "actorId" TEXT,
    "reason" TEXT NOT NULL,
    "suppressed" BOOLEAN NOT NULL DEFAULT false,
    "erasedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "PersonErasure_pkey" PRIMARY KEY ("id")
);
CREATE INDEX "PersonErasure_organizationId_erasedAt_id_idx" ON "PersonErasure"("organizationId", "erasedAt", "id");
ALTER TABLE "PersonErasure" ADD CONSTRAINT "PersonErasure_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "PersonErasure" ADD CONSTRAINT "PersonErasure_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The SHA-256 of an erased person's normalised emails and phones, when the erasure asked to
-- suppress them: creates and imports refuse a person who has one (src/privacy/suppression.ts).
CREATE TABLE "SuppressedIdentifier" (
    "organizationId" TEXT NOT NULL,
    "digest" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "SuppressedIdentifier_pkey" PRIMARY KEY ("organizationId", "digest")
);
ALTER TABLE "SuppressedIdentifier" ADD CONSTRAINT "SuppressedIdentifier_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- A pair of people an editor said are not the same person (src/duplicates): the lower id first,
-- so that a pair has one row; gone with either person (a merge deletes the merged-away one).
CREATE TABLE "DismissedDuplicate" (
    "organizationId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "otherId" TEXT NOT NULL,
    "actorId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "DismissedDuplicate_pkey" PRIMARY KEY ("personId", "otherId"),
    CONSTRAINT "DismissedDuplicate_ordered" CHECK ("personId" < "otherId")
);
CREATE INDEX "DismissedDuplicate_otherId_idx" ON "DismissedDuplicate"("otherId");
ALTER TABLE "DismissedDuplicate" ADD CONSTRAINT "DismissedDuplicate_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DismissedDuplicate" ADD CONSTRAINT "DismissedDuplicate_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DismissedDuplicate" ADD CONSTRAINT "DismissedDuplicate_otherId_fkey" FOREIGN KEY ("otherId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DismissedDuplicate" ADD CONSTRAINT "DismissedDuplicate_actorId_fkey" FOREIGN KEY ("actorId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- The organisation's likely duplicate pairs, as last found (src/duplicates/duplicate-service.ts):
-- duplicateCandidates pages through them by score instead of finding every pair on each request.
-- The lower id first; gone with either person.
CREATE TABLE "DuplicateCandidate" (
    "organizationId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "otherId" TEXT NOT NULL,
    "score" DOUBLE PRECISION NOT NULL,
    "reasons" TEXT[],
    "nameSimilarity" DOUBLE PRECISION,

    CONSTRAINT "DuplicateCandidate_pkey" PRIMARY KEY ("personId", "otherId")
);
CREATE INDEX "DuplicateCandidate_organizationId_score_personId_otherId_idx" ON "DuplicateCandidate"("organizationId", "score" DESC, "personId", "otherId");
CREATE INDEX "DuplicateCandidate_otherId_idx" ON "DuplicateCandidate"("otherId");
ALTER TABLE "DuplicateCandidate" ADD CONSTRAINT "DuplicateCandidate_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DuplicateCandidate" ADD CONSTRAINT "DuplicateCandidate_personId_fkey" FOREIGN KEY ("personId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "DuplicateCandidate" ADD CONSTRAINT "DuplicateCandidate_otherId_fkey" FOREIGN KEY ("otherId") REFERENCES "Person"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Up to when an organisation's pairs were found: people changed since are looked up again.
CREATE TABLE "DuplicateScan" (
    "organizationId" TEXT NOT NULL,
    "scannedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "DuplicateScan_pkey" PRIMARY KEY ("organizationId")
);
ALTER TABLE "DuplicateScan" ADD CONSTRAINT "DuplicateScan_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The keys duplicates are found by, as immutable functions so that each has an index and a
-- lookup is an index scan, never a comparison of every pair. Emails are stored lower-cased
-- already (Person_emails_idx serves them).

-- A phone's key: its digits, the extension dropped, and of those the last nine, so that the same
-- number written with its country code (+44 20 7946 0958) or its trunk prefix (020 7946 0958)
-- gives the same key; numbers of fewer than seven digits give none. One function over the list,
-- calling only pg_catalog's: an index's expression runs under a search_path of pg_catalog alone.
-- src/shared/identity-keys.ts (phoneKey) computes the same key.
CREATE FUNCTION person_phone_keys(phones text[]) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(DISTINCT right(digits, 9)), '{}')
  FROM (SELECT regexp_replace(regexp_replace(phone, '\s*(x|ext\.?)\s*\d+\s*$', '', 'i'), '[^0-9]', '', 'g') AS digits FROM unnest(phones) AS phone) AS d
  WHERE length(digits) >= 7
$$;
CREATE INDEX "Person_phoneKeys_idx" ON "Person" USING GIN (person_phone_keys("phones"));

-- The full name as Person.fullName answers it, lower-cased: compared by trigram similarity.
CREATE FUNCTION person_name_key(given text, additional text, family text, full_name text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT lower(coalesce(nullif(btrim(full_name), ''), btrim(coalesce(given || ' ', '') || coalesce(additional || ' ', '') || coalesce(family, ''))))
$$;
CREATE INDEX "Person_nameKey_idx" ON "Person" USING GIN (person_name_key("givenName", "additionalName", "familyName", "fullName") gin_trgm_ops);

CREATE INDEX "Person_organizationId_linkedinId_idx" ON "Person"("organizationId", "linkedinId");
