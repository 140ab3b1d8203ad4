import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { markNotificationsRead } from "@/lib/services/releases/access-requests";

export const POST = route(contracts.readNotifications, async ({ actor }) => {
  await markNotificationsRead(actor);
  return { ok: true as const };
});
