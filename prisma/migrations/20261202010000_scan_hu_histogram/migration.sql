-- A coarse HU histogram per volume: a version's voxel HU distribution is the sum of its volumes'.
ALTER TABLE "Scan" ADD COLUMN "huHistogram" DOUBLE PRECISION[];
