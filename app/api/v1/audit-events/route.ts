import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listAuditEvents } from "@/lib/services/audit/list-audit-events";

export const GET = route(contracts.listAuditEvents, async ({ actor, query }) => listAuditEvents(actor, query));
