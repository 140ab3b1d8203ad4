-- A file being uploaded (tus) into a dataset version: indexed once its last byte arrives.
ALTER TYPE "IngestFileStatus" ADD VALUE 'UPLOADING';
