-- Search (issue 5): extensions live in public, so that a schema of their own per test file can be
-- dropped without taking them along.
CREATE EXTENSION IF NOT EXISTS pg_trgm WITH SCHEMA public;
CREATE EXTENSION IF NOT EXISTS unaccent WITH SCHEMA public;

-- AlterTable
ALTER TABLE "Person" ADD COLUMN     "searchText" TEXT NOT NULL DEFAULT '';

-- CreateIndex
CREATE INDEX "Person_organizationId_lastActiveAt_id_idx" ON "Person"("organizationId", "lastActiveAt", "id");

-- CreateIndex
CREATE INDEX "Person_organizationId_givenName_id_idx" ON "Person"("organizationId", "givenName", "id");

-- CreateIndex
CREATE INDEX "Person_searchText_idx" ON "Person" USING GIN ("searchText" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "Person_emails_idx" ON "Person" USING GIN ("emails");

-- CreateIndex
CREATE INDEX "Person_phones_idx" ON "Person" USING GIN ("phones");


-- Person.searchText: what `people(filter: { q })` matches, lower-cased and unaccented by
-- PostgreSQL itself. Triggers keep it, so every writer (mutations, imports, merges) is covered.
-- Tables are named through TG_TABLE_SCHEMA: the same functions serve any schema.
CREATE FUNCTION person_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  company_names text;
  document text;
BEGIN
  EXECUTE format(
    'SELECT string_agg(c.name, '' '') FROM %1$I."PersonCompany" pc JOIN %1$I."Company" c ON c.id = pc."companyId" WHERE pc."personId" = $1',
    TG_TABLE_SCHEMA)
    INTO company_names USING NEW.id;
  document := lower(public.unaccent('public.unaccent'::regdictionary, concat_ws(' ',
    NEW."givenName", NEW."additionalName", NEW."familyName", NEW."fullName", NEW."honorificPrefix",
    NEW."jobTitle", NEW."description", NEW."linkedinId",
    array_to_string(NEW.emails, ' '), array_to_string(NEW.phones, ' '), company_names)));
  -- Searches match word prefixes (' ' || word): the words as written (an email whole) and again
  -- split at every non-alphanumeric (its name and domain parts, the parts of "Wagley-Smith").
  NEW."searchText" := ' ' || document || ' ' || regexp_replace(document, '[^[:alnum:]]+', ' ', 'g') || ' ';
  RETURN NEW;
END
$$;

CREATE TRIGGER person_search_text BEFORE INSERT OR UPDATE ON "Person"
  FOR EACH ROW EXECUTE FUNCTION person_search_text();

-- A person's companies change their search text: touch the person so its trigger runs again.
CREATE FUNCTION person_company_search_text() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE format('UPDATE %I."Person" SET "searchText" = '''' WHERE id = $1', TG_TABLE_SCHEMA)
    USING CASE WHEN TG_OP = 'DELETE' THEN OLD."personId" ELSE NEW."personId" END;
  RETURN NULL;
END
$$;

CREATE TRIGGER person_company_search_text AFTER INSERT OR DELETE ON "PersonCompany"
  FOR EACH ROW EXECUTE FUNCTION person_company_search_text();
