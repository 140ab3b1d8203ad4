-- AlterTable
ALTER TABLE "Run" ADD COLUMN     "lastActivityAt" TIMESTAMP(3);

