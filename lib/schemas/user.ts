import { z } from "zod";
import { ROLES } from "../auth/policy";
import { ZEmail, ZLimit } from "./common";

export const PASSWORD_MIN = 10;

/** How an address was proven (see the EmailProof enum): only SSO and an emailed link show its owner reads it. */
export const EMAIL_PROOFS = ["ASSIGNED", "SSO", "LINK"] as const;
export type EmailProof = (typeof EMAIL_PROOFS)[number];
export const CONFIRMED_PROOFS: EmailProof[] = ["SSO", "LINK"];
export const emailConfirmed = (proof: EmailProof | null | undefined) => !!proof && CONFIRMED_PROOFS.includes(proof);

export const ZRole = z.enum(ROLES);
export const ZPassword = z.string().min(PASSWORD_MIN, `at least ${PASSWORD_MIN} characters`).max(1024);
export const ZName = z.string().trim().min(1, "required").max(120);

export const ZRegister = z.strictObject({
  email: ZEmail,
  name: ZName,
  password: ZPassword,
  /** Researchers wait for an admin's confirmation and use the app as a clinician meanwhile. */
  role: z.enum(["CLINICIAN", "RESEARCHER"]).default("CLINICIAN"),
});

export const ZRegistered = z.object({ status: z.literal("accepted"), message: z.string() });

export const ZSetupAdmin = z.strictObject({
  token: z.string().min(10).max(200),
  email: ZEmail,
  name: ZName,
  password: ZPassword,
});

export const ZUpdateUser = z
  .strictObject({
    role: ZRole.optional(),
    disabled: z.boolean().optional(),
    /** Accept or decline the role the user asked for at registration. */
    requestedRole: z.enum(["approve", "decline"]).optional(),
  })
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });

export const ZUser = z.object({
  id: z.string(),
  email: z.string(),
  name: z.string(),
  role: ZRole,
  requestedRole: ZRole.nullable(),
  disabled: z.boolean(),
  emailProof: z.enum(EMAIL_PROOFS).nullable().describe("how the address was proven: ASSIGNED (by an admin, the CLI or the setup link), SSO, LINK (an emailed link); null: never"),
  emailConfirmed: z.boolean().describe("proven by SSO or an emailed link: what release domain rules trust"),
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});

export const ZUserListItem = ZUser.extend({ failedSignIns: z.number().int().describe("failed sign-ins within the rate-limit window, from any address") });
export const ZUserList = z.object({ users: z.array(ZUserListItem), nextCursor: z.string().nullable() });
export const ZUserListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  role: ZRole.optional(),
  pending: z.enum(["true", "false"]).optional(),
  cursor: z.string().max(64).optional(),
  limit: ZLimit,
});

export const ZMe = ZUser.extend({
  tokenScopes: z.array(z.string()).nullable(),
  mail: z.object({
    configured: z.boolean().describe("the server sends email (SMTP is configured)"),
    accessDecisions: z.boolean(),
    runFailures: z.boolean(),
  }),
});

/** Your own settings: which notifications also come by email (sent only to a confirmed address). */
export const ZUpdateSelf = z
  .strictObject({ mailAccessDecisions: z.boolean().optional(), mailRunFailures: z.boolean().optional() })
  .refine((v) => Object.keys(v).length > 0, { message: "nothing to change" });

export const ZConfirmEmail = z.strictObject({ token: z.string().min(10).max(200).describe("the secret after #token= in the emailed link") });
export const ZEmailConfirmed = z.object({ email: z.string(), confirmed: z.literal(true) });
export const ZSignInLinkRequest = z.strictObject({ email: ZEmail });
export const ZMailAccepted = z.object({ status: z.literal("accepted"), message: z.string() });
export const ZUnlocked = z.object({ id: z.string(), cleared: z.number().int().describe("failed sign-ins forgotten") });

type UserRow = {
  id: string;
  email: string;
  name: string;
  role: z.infer<typeof ZRole>;
  requestedRole: z.infer<typeof ZRole> | null;
  disabled: boolean;
  emailProof: EmailProof | null;
  lastLoginAt: Date | null;
  createdAt: Date;
};

export function toUser(u: UserRow): z.infer<typeof ZUser> {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    requestedRole: u.requestedRole,
    disabled: u.disabled,
    emailProof: u.emailProof,
    emailConfirmed: emailConfirmed(u.emailProof),
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}
