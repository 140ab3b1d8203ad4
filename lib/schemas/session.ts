import { z } from "zod";

export const ZSession = z.object({
  id: z.string(),
  method: z.string(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  createdAt: z.string(),
  lastSeenAt: z.string(),
  current: z.boolean().describe("the session making this request"),
});

export const ZSessionList = z.object({ sessions: z.array(ZSession) });

type SessionRow = { id: string; method: string; ip: string | null; userAgent: string | null; createdAt: Date; lastSeenAt: Date; current: boolean };

export function toSession(s: SessionRow): z.infer<typeof ZSession> {
  return { id: s.id, method: s.method, ip: s.ip, userAgent: s.userAgent, createdAt: s.createdAt.toISOString(), lastSeenAt: s.lastSeenAt.toISOString(), current: s.current };
}
