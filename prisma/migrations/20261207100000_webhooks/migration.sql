-- Webhooks (issue 19): endpoints, and a transactional outbox of the events they are to hear.
-- See docs/webhooks.md for why the outbox is written by the database itself.

CREATE TABLE "WebhookEndpoint" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "url" TEXT NOT NULL,
    "description" TEXT,
    "events" TEXT[],
    "secret" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,
    "failingSince" TIMESTAMP(3),
    "disabledAt" TIMESTAMP(3),
    "disabledReason" TEXT,
    CONSTRAINT "WebhookEndpoint_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "WebhookEndpoint_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "WebhookEndpoint_organizationId_idx" ON "WebhookEndpoint"("organizationId");

-- One row per event that some endpoint wants; its id is the timeline event's (or, for a deleted
-- person, one made by the deletion), sent as webhook-id, the same on every attempt.
CREATE TABLE "WebhookEvent" (
    "id" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "occurredAt" TIMESTAMP(3) NOT NULL,
    "data" JSONB NOT NULL,
    CONSTRAINT "WebhookEvent_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "WebhookEvent_organizationId_fkey" FOREIGN KEY ("organizationId") REFERENCES "Organization"("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- One row per event and endpoint. "sequence" orders one person's deliveries to one endpoint.
CREATE TABLE "WebhookDelivery" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "sequence" BIGSERIAL NOT NULL,
    "eventId" TEXT NOT NULL,
    "endpointId" TEXT NOT NULL,
    "organizationId" TEXT NOT NULL,
    "personId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "attemptCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "nextAttemptAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMP(3),
    CONSTRAINT "WebhookDelivery_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "WebhookDelivery_eventId_fkey" FOREIGN KEY ("eventId") REFERENCES "WebhookEvent"("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "WebhookDelivery_endpointId_fkey" FOREIGN KEY ("endpointId") REFERENCES "WebhookEndpoint"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE UNIQUE INDEX "WebhookDelivery_sequence_key" ON "WebhookDelivery"("sequence");
CREATE INDEX "WebhookDelivery_eventId_idx" ON "WebhookDelivery"("eventId");
CREATE INDEX "WebhookDelivery_endpointId_sequence_idx" ON "WebhookDelivery"("endpointId", "sequence");
-- What the worker looks for: the due ones, and an earlier one of the same person still pending.
CREATE INDEX "WebhookDelivery_pending_due_idx" ON "WebhookDelivery"("nextAttemptAt") WHERE "status" = 'PENDING';
CREATE INDEX "WebhookDelivery_pending_person_idx" ON "WebhookDelivery"("endpointId", "personId", "sequence") WHERE "status" = 'PENDING';

CREATE TABLE "WebhookAttempt" (
    "id" TEXT NOT NULL DEFAULT gen_random_uuid()::text,
    "deliveryId" TEXT NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "durationMs" INTEGER NOT NULL,
    "statusCode" INTEGER,
    "error" TEXT,
    "succeeded" BOOLEAN NOT NULL,
    CONSTRAINT "WebhookAttempt_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "WebhookAttempt_deliveryId_fkey" FOREIGN KEY ("deliveryId") REFERENCES "WebhookDelivery"("id") ON DELETE CASCADE ON UPDATE CASCADE
);
CREATE INDEX "WebhookAttempt_deliveryId_startedAt_idx" ON "WebhookAttempt"("deliveryId", "startedAt");

-- An instant as the API writes it: the columns hold UTC, so ISO 8601 with a Z.
CREATE FUNCTION "webhook_instant"(value TIMESTAMP(3)) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $$
  SELECT to_char(value, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Queues one event for every enabled endpoint of the organisation that wants its type, with the
-- person as they are now (inside the writing transaction: as the change left them). Writes
-- nothing when no endpoint wants it. `SET search_path FROM CURRENT` pins the schema this
-- migration runs in, so the tables are found whatever the calling session's search_path.
CREATE FUNCTION "webhook_enqueue"(event_id TEXT, org_id TEXT, person_id TEXT, event_type TEXT, occurred_at TIMESTAMP(3), details JSONB)
RETURNS VOID LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  IF NOT EXISTS (
    SELECT 1 FROM "WebhookEndpoint" e
    WHERE e."organizationId" = org_id AND e."disabledAt" IS NULL AND (event_type = ANY (e."events") OR '*' = ANY (e."events"))
  ) THEN
    RETURN;
  END IF;
  INSERT INTO "WebhookEvent" ("id", "organizationId", "personId", "type", "occurredAt", "data")
  SELECT event_id, org_id, person_id, event_type, occurred_at, jsonb_build_object(
    -- An erasure tells receivers whom to forget, and nothing else about them.
    'person', CASE WHEN event_type = 'PERSON_ERASED' THEN jsonb_build_object('id', p."id") ELSE jsonb_build_object(
      'id', p."id", 'givenName', p."givenName", 'familyName', p."familyName", 'additionalName', p."additionalName",
      'fullName', p."fullName", 'jobTitle', p."jobTitle", 'emails', to_jsonb(p."emails"), 'phones', to_jsonb(p."phones"),
      'urls', to_jsonb(p."urls"), 'externalId', p."externalId", 'archivedAt', "webhook_instant"(p."archivedAt"),
      'createdAt', "webhook_instant"(p."createdAt"), 'updatedAt', "webhook_instant"(p."updatedAt"), 'version', p."version") END,
    'details', details)
  FROM "Person" p WHERE p."id" = person_id AND p."organizationId" = org_id;
  IF NOT FOUND THEN
    RETURN;
  END IF;
  INSERT INTO "WebhookDelivery" ("eventId", "endpointId", "organizationId", "personId")
  SELECT event_id, e."id", org_id, person_id FROM "WebhookEndpoint" e
  WHERE e."organizationId" = org_id AND e."disabledAt" IS NULL AND (event_type = ANY (e."events") OR '*' = ANY (e."events"))
  ORDER BY e."id";
END
$$;

-- Every person event reaches the timeline through an INSERT (recordEvent, recordEvents,
-- recordPending, the import's bulk createMany): the outbox is written there, in the same
-- transaction, so a rollback or a dry run leaves none and no path can forget it.
CREATE FUNCTION "webhook_enqueue_timeline_event"() RETURNS TRIGGER LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
BEGIN
  PERFORM "webhook_enqueue"(NEW."id", NEW."organizationId", NEW."personId", NEW."type", NEW."occurredAt", NEW."data");
  RETURN NULL;
END
$$;

CREATE TRIGGER "TimelineEvent_webhook_outbox" AFTER INSERT ON "TimelineEvent"
FOR EACH ROW EXECUTE FUNCTION "webhook_enqueue_timeline_event"();
