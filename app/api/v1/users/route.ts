import { contracts } from "@/lib/api/contracts";
import { route } from "@/lib/api/route";
import { toUser } from "@/lib/schemas/user";
import { listUsers } from "@/lib/services/users/list-users";

export const GET = route(contracts.listUsers, async ({ actor, query }) => {
  const page = await listUsers(actor, query);
  return { users: page.users.map((u) => ({ ...toUser(u), failedSignIns: u.failedSignIns })), nextCursor: page.nextCursor };
});
