import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toSession } from "@/lib/schemas/session";
import { listSessions, signOutEverywhere } from "@/lib/services/sessions/revoke-sessions";

export const GET = route(contracts.listSessions, async ({ actor }) => ({ sessions: (await listSessions(actor)).map(toSession) }));

export const DELETE = route(contracts.revokeAllSessions, async ({ actor, ip }) => signOutEverywhere({ actor, ip }));
