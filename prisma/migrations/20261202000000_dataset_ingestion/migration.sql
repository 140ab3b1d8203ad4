-- CreateEnum
CREATE TYPE "IngestStatus" AS ENUM ('QUEUED', 'RUNNING', 'DONE', 'FAILED', 'CANCELLED');

-- CreateEnum
CREATE TYPE "IngestFileStatus" AS ENUM ('PENDING', 'DONE', 'FAILED');

-- AlterTable
ALTER TABLE "Dataset" ADD COLUMN     "description" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "ownerId" TEXT;

-- AlterTable
ALTER TABLE "DatasetVersion" ADD COLUMN     "description" TEXT NOT NULL DEFAULT '';

-- AlterTable
ALTER TABLE "Scan" ADD COLUMN     "affine" DOUBLE PRECISION[],
ADD COLUMN     "datatype" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "fileSha256" TEXT[],
ADD COLUMN     "files" TEXT[],
ADD COLUMN     "format" TEXT NOT NULL DEFAULT 'nifti1',
ADD COLUMN     "huMean" DOUBLE PRECISION,
ADD COLUMN     "huP1" DOUBLE PRECISION,
ADD COLUMN     "huP99" DOUBLE PRECISION,
ADD COLUMN     "looksLikeHu" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "orientation" TEXT NOT NULL DEFAULT '',
ADD COLUMN     "patientId" TEXT,
ADD COLUMN     "reportFlags" TEXT[],
ADD COLUMN     "reportText" TEXT,
ADD COLUMN     "studyUid" TEXT,
ADD COLUMN     "warnings" TEXT[];

-- CreateTable
CREATE TABLE "IngestJob" (
    "id" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "createdById" TEXT NOT NULL,
    "source" TEXT NOT NULL,
    "root" TEXT,
    "folder" TEXT,
    "status" "IngestStatus" NOT NULL DEFAULT 'QUEUED',
    "listed" BOOLEAN NOT NULL DEFAULT false,
    "totalFiles" INTEGER NOT NULL DEFAULT 0,
    "doneFiles" INTEGER NOT NULL DEFAULT 0,
    "failedFiles" INTEGER NOT NULL DEFAULT 0,
    "totalBytes" BIGINT NOT NULL DEFAULT 0,
    "doneBytes" BIGINT NOT NULL DEFAULT 0,
    "error" TEXT,
    "lockedBy" TEXT,
    "lockedUntil" TIMESTAMP(3),
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMP(3),
    "finishedAt" TIMESTAMP(3),

    CONSTRAINT "IngestJob_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "IngestFile" (
    "id" TEXT NOT NULL,
    "jobId" TEXT NOT NULL,
    "datasetVersionId" TEXT NOT NULL,
    "path" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "size" BIGINT NOT NULL,
    "status" "IngestFileStatus" NOT NULL DEFAULT 'PENDING',
    "errorCode" TEXT,
    "error" TEXT,
    "scanId" TEXT,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IngestFile_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IngestJob_status_createdAt_idx" ON "IngestJob"("status", "createdAt");

-- CreateIndex
CREATE INDEX "IngestJob_datasetVersionId_createdAt_idx" ON "IngestJob"("datasetVersionId", "createdAt");

-- CreateIndex
CREATE INDEX "IngestFile_jobId_status_idx" ON "IngestFile"("jobId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "IngestFile_datasetVersionId_path_key" ON "IngestFile"("datasetVersionId", "path");

-- CreateIndex
CREATE INDEX "Scan_voxelHash_idx" ON "Scan"("voxelHash");

-- CreateIndex
CREATE INDEX "Scan_patientId_idx" ON "Scan"("patientId");

-- CreateIndex
CREATE INDEX "Scan_studyUid_idx" ON "Scan"("studyUid");

-- AddForeignKey
ALTER TABLE "Dataset" ADD CONSTRAINT "Dataset_ownerId_fkey" FOREIGN KEY ("ownerId") REFERENCES "User"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestJob" ADD CONSTRAINT "IngestJob_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestJob" ADD CONSTRAINT "IngestJob_createdById_fkey" FOREIGN KEY ("createdById") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestFile" ADD CONSTRAINT "IngestFile_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "IngestJob"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestFile" ADD CONSTRAINT "IngestFile_datasetVersionId_fkey" FOREIGN KEY ("datasetVersionId") REFERENCES "DatasetVersion"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "IngestFile" ADD CONSTRAINT "IngestFile_scanId_fkey" FOREIGN KEY ("scanId") REFERENCES "Scan"("id") ON DELETE SET NULL ON UPDATE CASCADE;

