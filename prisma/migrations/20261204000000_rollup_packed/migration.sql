-- Each rollup bucket also kept as the bytes a chart read sends (lib/metrics/read-series.ts): its fields as big-endian
-- float8s, in the order of PACKED_FIELDS and PACKED_TIMES (lib/metrics/packed-columns.ts). Built here once per write
-- instead of on every read, where packing ~2,000 buckets was two thirds of the read's SQL time. A missing value
-- (no finite min or max) is NaN. Times are epoch milliseconds: the columns hold whole milliseconds, which round()
-- restores exactly from date_part's float8 seconds (float8 arithmetic: extract's numeric cost ~4 % of ingest).
-- Prisma cannot declare generated columns; schema.prisma leaves these two out and nothing writes them.
ALTER TABLE "MetricRollup"
  ADD COLUMN "packed" BYTEA GENERATED ALWAYS AS (
    float8send("count"::float8) || float8send(coalesce("min", 'NaN')) || float8send(coalesce("minStep"::float8, 'NaN')) ||
    float8send(coalesce("max", 'NaN')) || float8send(coalesce("maxStep"::float8, 'NaN')) || float8send("firstStep"::float8) ||
    float8send("firstValue") || float8send("lastStep"::float8) || float8send("lastValue") ||
    float8send("nanCount"::float8) || float8send("posInfCount"::float8) || float8send("negInfCount"::float8)
  ) STORED,
  ADD COLUMN "packedTimes" BYTEA GENERATED ALWAYS AS (
    float8send(coalesce(round(date_part('epoch', "minTs" - 'epoch'::timestamptz) * 1000), 'NaN')) ||
    float8send(coalesce(round(date_part('epoch', "maxTs" - 'epoch'::timestamptz) * 1000), 'NaN')) ||
    float8send(round(date_part('epoch', "firstTs" - 'epoch'::timestamptz) * 1000)) ||
    float8send(round(date_part('epoch', "lastTs" - 'epoch'::timestamptz) * 1000))
  ) STORED;
