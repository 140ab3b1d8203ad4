-- AlterTable: the agent's id for one claim request, so a claim retried after a lost answer gets the same lease
-- instead of a second run.
ALTER TABLE "Lease" ADD COLUMN "claimId" TEXT;

-- CreateIndex
CREATE UNIQUE INDEX "Lease_workerId_claimId_key" ON "Lease"("workerId", "claimId");
