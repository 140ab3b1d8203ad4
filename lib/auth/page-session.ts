// For server components: who is looking at this page. Access decisions still go through `can`.
import "server-only";
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { env } from "../env";
import { assertCan, can, type Action, type UserActor } from "./policy";
import { resolveActor } from "./resolve-actor";

export async function pageActor() {
  return resolveActor(await headers()).catch(() => ({ kind: "anonymous" }) as const);
}

export async function requireUser(): Promise<UserActor> {
  const actor = await pageActor();
  if (actor.kind !== "user") redirect("/login");
  return actor;
}

/** Pages a role may not see answer with the 403 page, not a redirect, so people know why. */
export async function requirePermission(action: Action): Promise<UserActor> {
  const actor = await requireUser();
  if (!can(actor, action)) redirect(`/forbidden?action=${encodeURIComponent(action)}`);
  assertCan(actor, action);
  return actor;
}

/** Who reads the release pages: a person allowed to, or a visitor when the server lists releases publicly. */
export async function releaseReader(): Promise<UserActor | { kind: "anonymous" }> {
  const actor = await pageActor();
  if (actor.kind === "user") return requirePermission("release:read");
  if (actor.kind === "anonymous" && env().PUBLIC_RELEASES === "index") return actor;
  redirect("/login");
}
