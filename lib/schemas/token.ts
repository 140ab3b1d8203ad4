import { z } from "zod";
import { SCOPES } from "../auth/policy";
import { ZName } from "./user";

export const ZScope = z.enum(SCOPES);

export const ZCreateToken = z.strictObject({
  name: ZName,
  scopes: z.array(ZScope).min(1, "choose at least one scope").max(SCOPES.length),
  /** Days until the token stops working; omit for a token that never expires. */
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

export const ZToken = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string(),
  scopes: z.array(z.string()),
  expiresAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  createdAt: z.string(),
  userEmail: z.string().optional(),
});

export const ZCreatedToken = ZToken.extend({ secret: z.string().describe("Shown once; store it now") });
export const ZTokenList = z.object({ tokens: z.array(ZToken) });
export const ZTokenListQuery = z.strictObject({ all: z.enum(["true", "false"]).optional() });

type TokenRow = {
  id: string;
  name: string;
  prefix: string;
  scopes: string[];
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
  createdAt: Date;
  user?: { email: string };
};

export function toToken(t: TokenRow): z.infer<typeof ZToken> {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    scopes: t.scopes,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    createdAt: t.createdAt.toISOString(),
    ...(t.user ? { userEmail: t.user.email } : {}),
  };
}
