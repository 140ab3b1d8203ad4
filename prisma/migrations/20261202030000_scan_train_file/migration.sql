-- A DICOM series' clean NIfTI, made when it is indexed, is what the trainer reads and what agents download.
ALTER TABLE "Scan" ADD COLUMN "trainPath" TEXT, ADD COLUMN "trainSha256" TEXT, ADD COLUMN "trainBytes" BIGINT;
CREATE INDEX "Scan_trainSha256_idx" ON "Scan"("trainSha256");
