-- CreateEnum
CREATE TYPE "RunDriver" AS ENUM ('AGENT', 'SCRIPT');

-- AlterTable
ALTER TABLE "Run" ADD COLUMN "driver" "RunDriver" NOT NULL DEFAULT 'AGENT';

-- AlterTable
ALTER TABLE "Worker" ADD COLUMN "hostname" TEXT NOT NULL DEFAULT '',
ADD COLUMN "info" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN "executor" "Executor" NOT NULL DEFAULT 'LOCAL',
ADD COLUMN "maxRuns" INTEGER NOT NULL DEFAULT 1,
ADD COLUMN "draining" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN "removedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Lease" ADD COLUMN "gpuIndices" INTEGER[];

-- CreateTable
CREATE TABLE "WorkerSample" (
    "id" BIGSERIAL NOT NULL,
    "workerId" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "gpu" INTEGER NOT NULL,
    "util" DOUBLE PRECISION NOT NULL,
    "memUsed" BIGINT NOT NULL,
    "memTotal" BIGINT NOT NULL,

    CONSTRAINT "WorkerSample_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "WorkerSample_workerId_at_idx" ON "WorkerSample"("workerId", "at");

-- CreateIndex
CREATE INDEX "Lease_workerId_releasedAt_idx" ON "Lease"("workerId", "releasedAt");

-- AddForeignKey
ALTER TABLE "WorkerSample" ADD CONSTRAINT "WorkerSample_workerId_fkey" FOREIGN KEY ("workerId") REFERENCES "Worker"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- One live worker per worker token (a restarted agent registers as the same worker); not expressible in Prisma.
CREATE UNIQUE INDEX "Worker_live_token_key" ON "Worker"("tokenId") WHERE "removedAt" IS NULL;

-- The claim query's index: the oldest queued agent-driven run first, touching only queued rows.
CREATE INDEX "Run_claim_queue_idx" ON "Run"("statusChangedAt", "id") WHERE "status" = 'QUEUED' AND "driver" = 'AGENT' AND "archivedAt" IS NULL;
