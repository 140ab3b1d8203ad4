// The one place that decides who may do what. Routes, services and the UI all ask `can`.
import type { Role } from "../../generated/prisma/enums";

export const ROLES = ["ADMIN", "RESEARCHER", "CLINICIAN"] as const satisfies readonly Role[];
export const SCOPES = ["read", "runs:write", "worker", "download", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

const ALL: Role[] = ["ADMIN", "RESEARCHER", "CLINICIAN"];
const STAFF: Role[] = ["ADMIN", "RESEARCHER"];
const ADMIN: Role[] = ["ADMIN"];

/** action → [roles allowed, token scope needed]. Scan this table to know the whole access model. */
export const PERMISSIONS = {
  "profile:read": [ALL, "read"],
  "token:manage": [ALL, "read"],
  "dataset:read": [ALL, "read"],
  "dataset:write": [STAFF, "runs:write"],
  "run:read": [STAFF, "read"],
  "run:write": [STAFF, "runs:write"],
  "worker:read": [STAFF, "read"],
  "worker:connect": [STAFF, "worker"],
  "worker:manage": [ADMIN, "admin"],
  "release:read": [ALL, "read"],
  "release:write": [STAFF, "runs:write"],
  "release:download": [ALL, "download"],
  "access:request": [ALL, "read"],
  "access:decide": [ADMIN, "admin"],
  "user:read": [ADMIN, "admin"],
  "user:manage": [ADMIN, "admin"],
  "audit:read": [ADMIN, "admin"],
} as const satisfies Record<string, readonly [Role[], Scope]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export type UserActor = {
  kind: "user";
  id: string;
  email: string;
  role: Role;
  /** Present when the request came with an API token: only these scopes apply. */
  token?: { id: string; scopes: Scope[]; expiresAt?: Date | null };
};
export type Actor = UserActor | { kind: "anonymous" } | { kind: "system"; label: string };

/** Resources owned by one user (tokens, runs, access requests) name their owner. */
export type Resource = { ownerId?: string | null };

const OWNER_BOUND: Partial<Record<Action, true>> = { "token:manage": true, "run:write": true };

export function can(actor: Actor, action: Action, resource?: Resource): boolean {
  if (actor.kind === "system") return true;
  if (actor.kind === "anonymous") return false;
  const [roles, scope] = PERMISSIONS[action];
  if (!(roles as readonly Role[]).includes(actor.role)) return false;
  if (actor.token && !actor.token.scopes.includes(scope) && !actor.token.scopes.includes("admin")) return false;
  if (OWNER_BOUND[action] && resource?.ownerId && resource.ownerId !== actor.id) return actor.role === "ADMIN";
  return true;
}

export class ForbiddenError extends Error {
  constructor(public readonly action: Action) {
    super(`You are not allowed to ${action.replace(":", " ")}`);
  }
}

export class UnauthenticatedError extends Error {
  constructor(message = "Sign in or send an API token") {
    super(message);
  }
}

export function assertCan(actor: Actor, action: Action, resource?: Resource): asserts actor is UserActor | { kind: "system"; label: string } {
  if (actor.kind === "anonymous") throw new UnauthenticatedError();
  if (!can(actor, action, resource)) throw new ForbiddenError(action);
}

/** Scopes a user of this role may put on a token (a token-authenticated caller is further capped by its own
 * scopes in createToken, so a token never mints a stronger one): those of actions the role can do. The admin scope
 * unlocks everything the role can do, so only admins get it. */
export function scopesAllowedFor(role: Role): Scope[] {
  return SCOPES.filter(
    (s) =>
      (s !== "admin" || role === "ADMIN") &&
      ACTIONS.some((a) => PERMISSIONS[a][1] === s && (PERMISSIONS[a][0] as readonly Role[]).includes(role)),
  );
}

export function actorLabel(actor: Actor) {
  if (actor.kind === "user") return actor.token ? `${actor.email} (token)` : actor.email;
  if (actor.kind === "system") return actor.label;
  return "anonymous";
}
