"use client";
import { useMutation } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useId, useState } from "react";
import { apiFetch, ApiProblem } from "@/lib/api/client-fetch";
import { Button } from "../ui/button";
import { Input } from "../ui/input";

const ROLES = [
  ["CLINICIAN", "clinicians"],
  ["RESEARCHER", "researchers"],
  ["ADMIN", "admins"],
] as const;

/** What a domain rule can and can't vouch for on this server, said plainly next to the field. */
export function AutoApproveNote({ mailConfigured, id }: { mailConfigured: boolean; id?: string }) {
  return (
    <p id={id} className="text-sm text-muted-fg">
      {mailConfigured
        ? "A domain approves only confirmed addresses: confirmed through single sign-on or by the link this server emails. Requests from unconfirmed addresses are not approved automatically; they wait for an administrator."
        : "This server sends no email (SMTP is not configured), so no address can be confirmed by link: a domain approves only accounts whose address was verified through single sign-on (or confirmed by link while email was on). Every other request waits for an administrator."}
    </p>
  );
}

/** The rules of a GATED release that approve requests at once: by role, or by the requester's email domain. */
export function AutoApproveRules({ releaseId, rules, mailConfigured }: { releaseId: string; rules: { roles: string[]; domains: string[] }; mailConfigured: boolean }) {
  const router = useRouter();
  const noteId = useId();
  const [roles, setRoles] = useState(rules.roles);
  const [domains, setDomains] = useState(rules.domains.join(", "));
  const save = useMutation({
    mutationFn: () => apiFetch(`/releases/${releaseId}`, { method: "PATCH", body: { autoApprove: { roles, domains: domains.split(/[\s,]+/).filter(Boolean) } } }),
    onSuccess: () => router.refresh(),
  });
  const fields = save.error instanceof ApiProblem ? save.error.fields : {};
  const domainError = Object.entries(fields).find(([k]) => k.startsWith("autoApprove.domains"))?.[1];
  return (
    <form className="flex flex-col gap-3" onSubmit={(e) => { e.preventDefault(); save.mutate(); }}>
      <h3 className="text-sm font-semibold">Approve requests at once</h3>
      <fieldset className="flex flex-wrap gap-x-4 gap-y-2 text-sm">
        <legend className="mb-1 font-medium">People with the role</legend>
        {ROLES.map(([role, label]) => (
          <label key={role} className="flex items-center gap-2">
            <input type="checkbox" checked={roles.includes(role)} onChange={(e) => setRoles(e.target.checked ? [...roles, role] : roles.filter((r) => r !== role))} />
            {label}
          </label>
        ))}
      </fieldset>
      <Input label="People whose email is at the domains" value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="example.org, hospital.example" hint="Separated by commas; subdomains count too." aria-describedby={noteId} error={domainError} className="max-w-xl" />
      <AutoApproveNote id={noteId} mailConfigured={mailConfigured} />
      <div className="flex flex-wrap items-center gap-3">
        <Button type="submit" variant="secondary" disabled={save.isPending}>Save the rules</Button>
        {save.isSuccess && <span role="status" className="text-sm text-ok">Rules saved.</span>}
        {save.error && !domainError && <span role="alert" className="text-sm text-danger">{(save.error as Error).message}</span>}
      </div>
    </form>
  );
}
