-- AlterTable
ALTER TABLE "LogChunk" ADD COLUMN     "stream" TEXT NOT NULL DEFAULT 'stdout';

-- AlterTable
ALTER TABLE "MetricPoint" DROP CONSTRAINT "MetricPoint_pkey",
DROP COLUMN "runId",
ALTER COLUMN "ts" SET DATA TYPE TIMESTAMPTZ(3),
ADD CONSTRAINT "MetricPoint_pkey" PRIMARY KEY ("keyId", "step");

-- CreateTable
CREATE TABLE "MetricRollup" (
    "keyId" INTEGER NOT NULL,
    "level" SMALLINT NOT NULL,
    "bucket" BIGINT NOT NULL,
    "count" INTEGER NOT NULL,
    "sum" DOUBLE PRECISION NOT NULL,
    "min" DOUBLE PRECISION,
    "minStep" BIGINT,
    "minTs" TIMESTAMPTZ(3),
    "max" DOUBLE PRECISION,
    "maxStep" BIGINT,
    "maxTs" TIMESTAMPTZ(3),
    "firstStep" BIGINT NOT NULL,
    "firstValue" DOUBLE PRECISION NOT NULL,
    "firstTs" TIMESTAMPTZ(3) NOT NULL,
    "lastStep" BIGINT NOT NULL,
    "lastValue" DOUBLE PRECISION NOT NULL,
    "lastTs" TIMESTAMPTZ(3) NOT NULL,
    "nanCount" INTEGER NOT NULL,
    "posInfCount" INTEGER NOT NULL,
    "negInfCount" INTEGER NOT NULL,

    CONSTRAINT "MetricRollup_pkey" PRIMARY KEY ("keyId","level","bucket")
);

-- CreateTable
CREATE TABLE "RunEvent" (
    "id" BIGSERIAL NOT NULL,
    "runId" TEXT NOT NULL,
    "from" "RunStatus",
    "to" "RunStatus" NOT NULL,
    "reason" TEXT NOT NULL DEFAULT '',
    "actor" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "RunEvent_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "RunEvent_runId_at_idx" ON "RunEvent"("runId", "at");

-- CreateIndex
CREATE INDEX "Run_createdAt_id_idx" ON "Run"("createdAt", "id");

-- CreateIndex
CREATE INDEX "Run_name_id_idx" ON "Run"("name", "id");

-- CreateIndex
CREATE INDEX "Run_tags_idx" ON "Run" USING GIN ("tags");

-- AddForeignKey
ALTER TABLE "RunEvent" ADD CONSTRAINT "RunEvent_runId_fkey" FOREIGN KEY ("runId") REFERENCES "Run"("id") ON DELETE CASCADE ON UPDATE CASCADE;

