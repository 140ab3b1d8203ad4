// The mails the server sends, rendered when they are sent (so a link's secret never waits in the outbox). Plain
// text first, with a simple HTML twin. Nothing a person typed about themselves (a name) goes into a mail, since the
// address may be someone else's; links are built from the server's public URL, never from a request's Host.
import { z } from "zod";

const ZMail = z.discriminatedUnion("template", [
  z.object({ template: z.literal("confirm-email"), params: z.object({}) }),
  z.object({ template: z.literal("sign-in-link"), params: z.object({}) }),
  z.object({
    template: z.literal("access-decision"),
    params: z.object({ decision: z.enum(["approved", "denied", "revoked"]), text: z.string().max(500), releaseId: z.string().max(64) }),
  }),
  z.object({
    template: z.literal("run-failed"),
    params: z.object({ runId: z.string().max(64), runName: z.string().max(300), status: z.enum(["FAILED", "LOST"]) }),
  }),
]);

export type Mail = z.infer<typeof ZMail>;
export type MailTemplate = Mail["template"];
export type RenderedMail = { subject: string; text: string; html: string };

/** Templates whose mail carries a one-time link, minted when the mail is sent: its purpose and lifetime. */
export const LINK_MAILS = {
  "confirm-email": { purpose: "confirm", path: "/confirm-email", ttlMs: 24 * 3_600_000 },
  "sign-in-link": { purpose: "sign-in", path: "/login/link", ttlMs: 15 * 60_000 },
} as const satisfies Partial<Record<MailTemplate, { purpose: string; path: string; ttlMs: number }>>;

export type LinkPurpose = (typeof LINK_MAILS)[keyof typeof LINK_MAILS]["purpose"];

export const isLinkMail = (t: string): t is keyof typeof LINK_MAILS => Object.hasOwn(LINK_MAILS, t);

/** The link a one-time secret travels in: after `#`, so it reaches neither server logs nor Referer headers. */
export function secretLink(baseUrl: string, template: keyof typeof LINK_MAILS, secret: string) {
  return `${baseUrl}${LINK_MAILS[template].path}#token=${encodeURIComponent(secret)}`;
}

/** Header text on one line, whatever a name holds. */
const oneLine = (s: string) => s.replace(/[\r\n\t]+/g, " ").replace(/\s{2,}/g, " ").trim();

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** Paragraphs of plain text; a paragraph that is a URL becomes a link in the HTML. */
function compose(subject: string, paragraphs: string[]): RenderedMail {
  const html = paragraphs
    .map((p) => (/^https?:\/\/\S+$/.test(p) ? `<p><a href="${escapeHtml(p)}">${escapeHtml(p)}</a></p>` : `<p>${escapeHtml(p).replace(/\n/g, "<br>")}</p>`))
    .join("\n");
  return { subject, text: `${paragraphs.join("\n\n")}\n`, html: `<!doctype html><html><body>\n${html}\n</body></html>\n` };
}

const ACCESS_SUBJECTS = {
  approved: "Your Hounsfield access was approved",
  denied: "Your Hounsfield access request was denied",
  revoked: "Your Hounsfield access was revoked",
} as const;

const footer = (baseUrl: string) => `You get this email because you turned it on in your Hounsfield account settings: ${baseUrl}/settings/account`;

/** Throws (a zod error) when the stored template or params are not one of ours: such a mail is never sent. */
export function renderMail(template: string, params: unknown, opts: { baseUrl: string; link?: string }): RenderedMail {
  const m = ZMail.parse({ template, params });
  const { baseUrl, link } = opts;
  const needLink = () => {
    if (!link) throw new Error(`the ${m.template} mail needs its link`);
    return link;
  };
  switch (m.template) {
    case "confirm-email":
      return compose("Confirm your email address for Hounsfield", [
        `Someone (we hope you) created or uses a Hounsfield account at ${baseUrl} with this email address. Open this link to confirm that the address is yours:`,
        needLink(),
        "The link works once, for 24 hours. If this wasn't you, ignore this email: nothing is confirmed unless the link is opened and confirmed.",
      ]);
    case "sign-in-link":
      return compose("Your Hounsfield sign-in link", [
        `Someone (we hope you) asked to sign in to Hounsfield at ${baseUrl} with a link sent to this address. Open it to sign in:`,
        needLink(),
        "The link works once, for 15 minutes. If this wasn't you, ignore this email; your password still works as before.",
      ]);
    case "access-decision":
      return compose(ACCESS_SUBJECTS[m.params.decision], [`${m.params.text}.`, `${baseUrl}/releases/${encodeURIComponent(m.params.releaseId)}`, footer(baseUrl)]);
    case "run-failed": {
      const what = m.params.status === "FAILED" ? "failed" : "was lost (its worker stopped answering); it is requeued if its retry policy allows";
      return compose(`Run ${oneLine(m.params.runName)} ${m.params.status === "FAILED" ? "failed" : "was lost"} (Hounsfield)`, [
        `Your run ${m.params.runName} ${what}. Its page has the status history and the logs:`,
        `${baseUrl}/runs/${encodeURIComponent(m.params.runId)}`,
        footer(baseUrl),
      ]);
    }
  }
}
