import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { listNotifications } from "@/lib/services/releases/access-requests";

export const GET = route(contracts.listNotifications, async ({ actor }) => listNotifications(actor));
