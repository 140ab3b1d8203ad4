import { describe, expect, it } from "vitest";
import { renderMail, secretLink } from "@/lib/mail/templates";

const base = "https://hounsfield.example.org";

describe("mail templates", () => {
  it("puts a one-time secret after '#', where neither server logs nor Referer headers see it", () => {
    const link = secretLink(base, "sign-in-link", "signin_a+b/c");
    expect(link).toBe(`${base}/login/link#token=signin_a%2Bb%2Fc`);
    expect(new URL(link).search).toBe("");
  });

  it("renders link mails only with their link, plain text first and HTML that escapes what it quotes", () => {
    expect(() => renderMail("confirm-email", {}, { baseUrl: base })).toThrow(/needs its link/);
    const m = renderMail("confirm-email", {}, { baseUrl: base, link: `${base}/confirm-email#token=x` });
    expect(m.text).toContain(`\n\n${base}/confirm-email#token=x\n\n`);
    expect(m.html).toContain(`<a href="${base}/confirm-email#token=x">`);
    const denied = renderMail("access-decision", { decision: "denied", text: "Your request for m 1.0.0 was denied: <b>no</b> & \"why\"", releaseId: "r1" }, { baseUrl: base });
    expect(denied.subject).toBe("Your Hounsfield access request was denied");
    expect(denied.text).toContain("was denied: <b>no</b> & \"why\".");
    expect(denied.html).not.toContain("<b>");
    expect(denied.html).toContain("&#60;b&#62;no&#60;/b&#62; &#38; &#34;why&#34;");
  });

  it("never renders a template or params that aren't ours", () => {
    expect(() => renderMail("phishing", { text: "click" }, { baseUrl: base })).toThrow();
    expect(() => renderMail("run-failed", { runId: "r", runName: "x", status: "SUCCEEDED" }, { baseUrl: base })).toThrow();
    expect(() => renderMail("access-decision", { decision: "approved", text: "x".repeat(501), releaseId: "r" }, { baseUrl: base })).toThrow();
  });

  it("keeps a run's name on one line in the subject", () => {
    const m = renderMail("run-failed", { runId: "r1", runName: "a\r\nBcc: x@evil.example", status: "LOST" }, { baseUrl: base });
    expect(m.subject).toBe("Run a Bcc: x@evil.example was lost (Hounsfield)");
    expect(m.text).toContain(`${base}/runs/r1`);
  });
});
