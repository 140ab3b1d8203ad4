-- The fine-tune starter a release carries is the server's own copy: which version and sha256 it was.
ALTER TABLE "Release" ADD COLUMN "starterVersion" TEXT, ADD COLUMN "starterSha256" TEXT;
