import { z } from "zod";
import { ROLES } from "../auth/policy";
import { ZEmail, ZLimit } from "./common";

export const PASSWORD_MIN = 10;

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
  lastLoginAt: z.string().nullable(),
  createdAt: z.string(),
});

export const ZUserList = z.object({ users: z.array(ZUser), nextCursor: z.string().nullable() });
export const ZUserListQuery = z.strictObject({
  q: z.string().max(200).optional(),
  role: ZRole.optional(),
  pending: z.enum(["true", "false"]).optional(),
  cursor: z.string().max(64).optional(),
  limit: ZLimit,
});

export const ZMe = ZUser.extend({ tokenScopes: z.array(z.string()).nullable() });

type UserRow = {
  id: string;
  email: string;
  name: string;
  role: z.infer<typeof ZRole>;
  requestedRole: z.infer<typeof ZRole> | null;
  disabled: boolean;
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
    lastLoginAt: u.lastLoginAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
  };
}
