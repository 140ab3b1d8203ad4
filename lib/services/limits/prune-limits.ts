import "server-only";
import { db } from "../../db/client";

const DAY_MS = 86_400_000;
/** Sign-in successes are kept this long: they are what makes an address "known" to an account. */
export const LOGIN_HISTORY_DAYS = 90;

/** Rate-limit records past any window that counts them; without this the two tables only grow. */
export async function pruneRateLimits(now = new Date()) {
  const [hits, attempts] = await Promise.all([
    db.rateLimitHit.deleteMany({ where: { createdAt: { lt: new Date(now.getTime() - DAY_MS) } } }),
    db.loginAttempt.deleteMany({
      where: {
        OR: [
          { success: false, createdAt: { lt: new Date(now.getTime() - DAY_MS) } },
          { createdAt: { lt: new Date(now.getTime() - LOGIN_HISTORY_DAYS * DAY_MS) } },
        ],
      },
    }),
  ]);
  return { hits: hits.count, attempts: attempts.count };
}
