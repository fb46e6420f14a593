-- Seed 003's magicField and objectField value kinds (issue 13): a MAGIC value is text (folk fills
-- it in itself), an OBJECT value a list of ids of records held by another service.
--
-- src/db/migrate.ts runs each migration in one transaction. ADD VALUE may run inside one (since
-- PostgreSQL 12), but the new values cannot be used before that transaction commits: nothing
-- here uses them.
ALTER TYPE "CustomFieldType" ADD VALUE 'MAGIC';
ALTER TYPE "CustomFieldType" ADD VALUE 'OBJECT';
