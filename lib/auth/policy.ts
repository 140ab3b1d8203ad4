// The one place that decides who may do what. Routes, services and the UI all ask `can`.
import type { Role } from "../../generated/prisma/enums";

export const ROLES = ["ADMIN", "RESEARCHER", "CLINICIAN"] as const satisfies readonly Role[];
export const SCOPES = ["read", "runs:write", "worker", "download", "tokens", "admin"] as const;
export type Scope = (typeof SCOPES)[number];

export const SCOPE_HELP: Record<Scope, string> = {
  read: "read what your role can see",
  "runs:write": "create, change and log your own runs",
  worker: "an agent's token (when it is the only scope): register its worker, heartbeat, claim runs, report on the runs it leases",
  download: "download releases you have access to, and your own runs' checkpoints",
  tokens: "your own account: create (never stronger) and revoke your tokens, sign out your sessions, mark your notifications read, email settings and confirmation",
  admin: "everything your role can do, including other users' objects",
};

const ALL: Role[] = ["ADMIN", "RESEARCHER", "CLINICIAN"];
const STAFF: Role[] = ["ADMIN", "RESEARCHER"];
const ADMIN: Role[] = ["ADMIN"];

/** action → [roles allowed, token scopes of which one is needed]. Scan this table to know the whole access
 * model. A token with the `admin` scope counts as having every scope its owner's role allows. */
export const PERMISSIONS = {
  "profile:read": [ALL, ["read"]],
  /** Your own account's settings (notification mails) and asking for an address confirmation link. */
  "profile:write": [ALL, ["tokens"]],
  "session:read": [ALL, ["read"]],
  "session:write": [ALL, ["tokens"]],
  /** Marking your own notifications read changes your account, so a read-only token can't. */
  "notification:write": [ALL, ["tokens"]],
  "token:read": [ALL, ["read"]],
  "token:write": [ALL, ["tokens"]],
  "token:admin": [ADMIN, ["admin"]],
  /** The catalog and published versions (clinicians see no patient identifiers or reports: dataset:inspect). */
  "dataset:read": [ALL, ["read"]],
  /** Team datasets and their versions: create, register or upload files, publish. Owners edit their own. */
  "dataset:write": [STAFF, ["runs:write"]],
  /** Draft versions, ingestion problems, DICOM patient/study identifiers and report text. */
  "dataset:inspect": [STAFF, ["read"]],
  /** Catalog entries: source, counts, license (its history is kept). */
  "catalog:write": [ADMIN, ["admin"]],
  "run:read": [STAFF, ["read"]],
  "run:write": [STAFF, ["runs:write"]],
  /** Metrics, logs and status of a run: its owner (runs:write), or the worker holding its lease (worker). */
  "run:report": [STAFF, ["runs:write", "worker"]],
  /** A run's checkpoints as a list (step, size, sha256): people who read runs, and the worker holding its lease. */
  "checkpoint:read": [STAFF, ["read"]],
  /** A checkpoint's bytes, which hold the weights of every release made from it, whatever that release's policy:
   * the run's owner, admins acting as admins, and the worker holding the run's lease (to resume it). */
  "checkpoint:download": [STAFF, ["download"]],
  /** The dataset files a run trains on: people who read runs, and the worker holding the run's lease. */
  "run:data": [STAFF, ["read"]],
  "worker:read": [STAFF, ["read"]],
  /** Register, heartbeat, claim: worker tokens only (a token whose only scope is `worker`), as their own worker. */
  "worker:connect": [STAFF, ["worker"]],
  "worker:manage": [ADMIN, ["admin"]],
  "release:read": [ALL, ["read"]],
  "release:write": [STAFF, ["runs:write"]],
  "release:download": [ALL, ["download"]],
  "access:request": [ALL, ["read"]],
  "access:decide": [ADMIN, ["admin"]],
  "user:read": [ADMIN, ["admin"]],
  "user:manage": [ADMIN, ["admin"]],
  "audit:read": [ADMIN, ["admin"]],
} as const satisfies Record<string, readonly [Role[], readonly Scope[]]>;

export type Action = keyof typeof PERMISSIONS;
export const ACTIONS = Object.keys(PERMISSIONS) as Action[];

export type UserActor = {
  kind: "user";
  id: string;
  email: string;
  role: Role;
  /** Present when the request came with an API token: only these scopes apply. */
  token?: { id: string; scopes: Scope[]; expiresAt?: Date | null };
  /** Present when the request came with a browser session. */
  sessionId?: string;
};
/** An agent calling with a worker token (a token whose only scope is `worker`): it may connect as its own worker
 * (register, heartbeat, claim) and report on runs it leases, nothing else, whatever its owner's role allows. */
export type WorkerActor = {
  kind: "worker";
  tokenId: string;
  /** The token's owner, in whose name the worker runs (its role bounds what the worker may do). */
  userId: string;
  email: string;
  role: Role;
  /** The worker registered with this token; null before the agent's first registration. */
  workerId: string | null;
};
export type Actor = UserActor | WorkerActor | { kind: "anonymous" } | { kind: "system"; label: string };

/** What a decision may depend on: the object's owner, and for run reports the token of the worker holding the
 * run's live lease. */
export type Resource = { ownerId?: string | null; leaseTokenId?: string | null; workerTokenId?: string | null; release?: ReleaseAccess };

/** What a decision on one release depends on: its policy and state, and the caller's standing with it. */
export type ReleaseAccess = {
  policy: "OPEN" | "GATED" | "PRIVATE";
  published: boolean;
  ownerId: string;
  /** The caller's grant: none, active, expired or revoked (PRIVATE releases grant named users). */
  grant: "none" | "active" | "expired" | "revoked";
  /** The caller accepted the release's current terms version (true when it has no terms). */
  termsAccepted: boolean;
  /** The server lists published OPEN and GATED releases to visitors who are not signed in (PUBLIC_RELEASES). */
  publicIndex?: boolean;
};

/** What a worker token can do at all: connect as its worker, report on and read what its leased runs need. */
const WORKER_ACTIONS: Partial<Record<Action, true>> = { "worker:connect": true, "run:report": true, "checkpoint:read": true, "checkpoint:download": true, "run:data": true };

function workerCan(actor: WorkerActor, action: Action, resource?: Resource) {
  if (!WORKER_ACTIONS[action] || !(PERMISSIONS[action][0] as readonly Role[]).includes(actor.role)) return false;
  if (!resource) return true;
  // A worker reports only on a run whose live lease its token holds, and acts only as the worker it registered.
  if (action === "run:report" || action === "checkpoint:read" || action === "checkpoint:download" || action === "run:data") return !!resource.leaseTokenId && resource.leaseTokenId === actor.tokenId;
  if ("workerTokenId" in resource) return resource.workerTokenId === actor.tokenId;
  return true;
}

/** Actions on one user's objects: the owner may, and admins — a token only when it carries the admin scope,
 * since acting on other people's objects is what that scope promises. */
const OWNER_BOUND: Partial<Record<Action, { adminOverride: boolean }>> = {
  "token:write": { adminOverride: false },
  "session:write": { adminOverride: false },
  "run:write": { adminOverride: true },
  "run:report": { adminOverride: true },
  "checkpoint:download": { adminOverride: true },
  "dataset:write": { adminOverride: true },
  "release:write": { adminOverride: true },
};

function hasScope(actor: UserActor, scope: Scope) {
  return !actor.token || actor.token.scopes.includes(scope) || actor.token.scopes.includes("admin");
}

/** A person acting with an administrator's powers: an admin's session, or an admin's token with the admin scope. */
function actsAsAdmin(actor: UserActor) {
  return actor.role === "ADMIN" && hasScope(actor, "admin");
}

/** Whether a release exists for this person at all, whatever their token's scopes: its maker and admins see it,
 * others once it is published (a PRIVATE one only when they are named on it). Services answer 404 otherwise. */
export function releaseVisible(actor: Actor, r: ReleaseAccess) {
  if (actor.kind === "system") return true;
  if (actor.kind === "anonymous") return !!r.publicIndex && r.published && r.policy !== "PRIVATE";
  if (actor.kind !== "user") return false;
  return r.ownerId === actor.id || actsAsAdmin(actor) || (r.published && (r.policy !== "PRIVATE" || r.grant === "active"));
}

/** Release rows of the access model: who sees, requests access to and downloads one release. */
function releaseCan(actor: UserActor, action: Action, r: ReleaseAccess) {
  const mine = r.ownerId === actor.id || actsAsAdmin(actor);
  const visible = releaseVisible(actor, r);
  switch (action) {
    case "release:read":
      return visible;
    case "release:download":
      if (mine) return true;
      if (!visible) return false;
      // Terms come first everywhere; a GATED or PRIVATE release also needs a grant that is live now.
      return r.termsAccepted && (r.policy === "OPEN" || r.grant === "active");
    case "access:request":
      // Only a published GATED release takes requests (PRIVATE ones name their users, OPEN ones need none), and
      // not from its own maker.
      return r.published && r.policy === "GATED" && r.ownerId !== actor.id;
    default:
      return true;
  }
}

export function can(actor: Actor, action: Action, resource?: Resource): boolean {
  if (actor.kind === "system") return true;
  // Visitors read only what the public release index shows; they download nothing.
  if (actor.kind === "anonymous") return action === "release:read" && !!resource?.release && releaseVisible(actor, resource.release);
  if (actor.kind === "worker") return workerCan(actor, action, resource);
  // Only agents connect as workers: a person's session or token never registers, heartbeats or claims.
  if (action === "worker:connect") return false;
  const [roles, scopes] = PERMISSIONS[action];
  if (!(roles as readonly Role[]).includes(actor.role)) return false;
  if (!(scopes as readonly Scope[]).some((s) => hasScope(actor, s))) return false;
  if (!resource) return true;
  if (resource.release && !releaseCan(actor, action, resource.release)) return false;
  if (action === "run:report" && resource.leaseTokenId && actor.token?.id === resource.leaseTokenId && hasScope(actor, "worker")) return true;
  // Reporting as the owner needs runs:write; the worker scope only covers a lease this token holds.
  if (action === "run:report" && !hasScope(actor, "runs:write")) return false;
  const bound = OWNER_BOUND[action];
  if (bound && resource.ownerId && resource.ownerId !== actor.id) return bound.adminOverride && actor.role === "ADMIN" && hasScope(actor, "admin");
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

export function assertCan(actor: Actor, action: Action, resource?: Resource): asserts actor is UserActor | WorkerActor | { kind: "system"; label: string } {
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
      ACTIONS.some((a) => (PERMISSIONS[a][1] as readonly Scope[]).includes(s) && (PERMISSIONS[a][0] as readonly Role[]).includes(role)),
  );
}

export function actorLabel(actor: Actor) {
  if (actor.kind === "user") return actor.token ? `${actor.email} (token)` : actor.email;
  if (actor.kind === "system") return actor.label;
  if (actor.kind === "worker") return `${actor.email} (worker token)`;
  return "anonymous";
}
