import { createElement } from "react";
import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { AutoApproveNote } from "@/components/releases/auto-approve-rules";
import { approvedByRules } from "@/lib/releases/auto-approve";

const rules = { roles: ["RESEARCHER"], domains: ["uni.example"] };

describe("auto-approval rules", () => {
  it("approve by domain only an address proven by SSO or an emailed link, subdomains included, look-alikes not", () => {
    const who = (email: string, emailProof: "SSO" | "LINK" | "ASSIGNED" | null) => approvedByRules(rules, { role: "CLINICIAN", email, emailProof });
    expect(who("a@uni.example", "SSO")).toBe(true);
    expect(who("a@radiology.uni.example", "LINK")).toBe(true);
    expect(who("a@UNI.EXAMPLE", "LINK")).toBe(true);
    expect(who("a@uni.example", "ASSIGNED")).toBe(false);
    expect(who("a@uni.example", null)).toBe(false);
    expect(who("a@evil-uni.example", "SSO")).toBe(false);
    expect(who("a@uni.example.evil", "SSO")).toBe(false);
  });

  it("approve by role whatever the address", () => {
    expect(approvedByRules(rules, { role: "RESEARCHER", email: "x@anywhere.example", emailProof: null })).toBe(true);
    expect(approvedByRules({}, { role: "RESEARCHER", email: "x@uni.example", emailProof: "SSO" })).toBe(false);
  });

  it("the release form says plainly what a domain can vouch for, with and without email", () => {
    const text = (mailConfigured: boolean) => renderToStaticMarkup(createElement(AutoApproveNote, { mailConfigured }));
    expect(text(false)).toMatch(/SMTP is not configured\), so no address can be confirmed by link: a domain approves only accounts whose address was verified through single sign-on/);
    expect(text(true)).toMatch(/Requests from unconfirmed addresses are not approved automatically/);
  });
});
