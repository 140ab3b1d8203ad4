import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { parseBatch } from "@/lib/metrics/parse-batch";
import { readBatchText } from "@/lib/metrics/read-batch";
import { ingestMetrics } from "@/lib/services/runs/ingest-metrics";
import { preauthorizeReport } from "@/lib/services/leases/fence";
import { readRunMetric } from "@/lib/services/runs/read-metrics";

export const POST = route(contracts.ingestMetrics, async ({ actor, ip, params, req }) => {
  // Who may write is settled before a byte of the body is read or inflated.
  await preauthorizeReport(actor, params.id);
  const text = await readBatchText(req, contracts.ingestMetrics.bodyLimit);
  const batch = await parseBatch(text, req.headers.get("content-type") ?? "application/json");
  const epochParam = new URL(req.url).searchParams.get("epoch");
  const epoch = batch.epoch ?? (epochParam !== null && /^\d{1,9}$/.test(epochParam) ? Number(epochParam) : undefined);
  return ingestMetrics({ actor, ip }, params.id, batch.points, epoch);
});

export const GET = route(contracts.readMetric, async ({ actor, params, query }) => readRunMetric(actor, params.id, query));
