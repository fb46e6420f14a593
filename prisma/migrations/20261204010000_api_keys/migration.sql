-- Issue 12: API keys and users managed through the API. A key gets a name, a display prefix, an
-- optional role (at most its user's) and an optional expiry; a user can be deactivated, which
-- stops their keys. Keys made before this have an empty name and prefix.

-- AlterTable
ALTER TABLE "User" ADD COLUMN "deactivatedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "name" TEXT NOT NULL DEFAULT '',
ADD COLUMN "prefix" TEXT NOT NULL DEFAULT '',
ADD COLUMN "role" "UserRole",
ADD COLUMN "expiresAt" TIMESTAMP(3);
