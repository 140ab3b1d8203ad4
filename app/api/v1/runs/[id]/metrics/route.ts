import { contracts } from "@/lib/api/contracts";
import { readBody } from "@/lib/api/read-body";
import { route } from "@/lib/api/route";
import { parseBatch } from "@/lib/metrics/parse-batch";
import { ingestMetrics } from "@/lib/services/runs/ingest-metrics";
import { readRunMetric } from "@/lib/services/runs/read-metrics";

export const POST = route(contracts.ingestMetrics, async ({ actor, ip, params, req }) => {
  const raw = await readBody(req, contracts.ingestMetrics.bodyLimit);
  const batch = parseBatch(raw, req.headers.get("content-type") ?? "application/json", req.headers.get("content-encoding"));
  const epochParam = new URL(req.url).searchParams.get("epoch");
  const epoch = batch.epoch ?? (epochParam !== null && /^\d+$/.test(epochParam) ? Number(epochParam) : undefined);
  return ingestMetrics({ actor, ip }, params.id, batch.points, epoch);
});

export const GET = route(contracts.readMetric, async ({ actor, params, query }) => readRunMetric(actor, params.id, query));
