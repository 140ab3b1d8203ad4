// A GATED release's rules that approve a request at once: by role, or by the email domain — the latter only for an
// address its owner proved to read (SSO-asserted or confirmed by an emailed link). An address someone merely typed
// at registration, or an admin entered, proves nothing about who reads it.
import { emailConfirmed, type EmailProof } from "../schemas/user";

export type AutoApproveRules = { roles?: string[]; domains?: string[] };

export function domainOf(email: string) {
  return email.split("@")[1]?.toLowerCase() ?? "";
}

export function domainMatches(rules: AutoApproveRules, email: string) {
  const domain = domainOf(email);
  return (rules.domains ?? []).some((d) => domain === d || domain.endsWith(`.${d}`));
}

export function approvedByRules(rules: AutoApproveRules, who: { role: string; email: string; emailProof: EmailProof | null }) {
  if ((rules.roles ?? []).includes(who.role)) return true;
  return emailConfirmed(who.emailProof) && domainMatches(rules, who.email);
}
