-- AlterTable: the labels a worker must carry to take the run (all of them), e.g. site=a or fabric=ib.
ALTER TABLE "Run" ADD COLUMN "workerLabels" TEXT[] DEFAULT ARRAY[]::TEXT[];
