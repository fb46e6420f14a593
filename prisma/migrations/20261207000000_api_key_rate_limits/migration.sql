-- Issue 22, item 8: an API key's own rate limit. Null capacity or refill: the server's default
-- (RATE_LIMIT_CAPACITY, RATE_LIMIT_REFILL_PER_SECOND); an exempt key is never charged.

-- AlterTable
ALTER TABLE "ApiKey" ADD COLUMN "rateLimitCapacity" INTEGER,
ADD COLUMN "rateLimitRefillPerSecond" INTEGER,
ADD COLUMN "rateLimitExempt" BOOLEAN NOT NULL DEFAULT false;
