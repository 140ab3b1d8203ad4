import { AccountPanel } from "@/components/account/account-panel";
import { requirePermission } from "@/lib/auth/page-session";
import { can } from "@/lib/auth/policy";
import { smtpConfig } from "@/lib/env";
import { emailConfirmed } from "@/lib/schemas/user";
import { getSelf } from "@/lib/services/users/get-self";

export const metadata = { title: "Account" };

export default async function AccountPage() {
  const actor = await requirePermission("profile:read");
  const u = await getSelf(actor);
  const me = {
    email: u.email,
    emailProof: u.emailProof,
    emailConfirmed: emailConfirmed(u.emailProof),
    mail: { configured: !!smtpConfig(), accessDecisions: u.mailAccessDecisions, runFailures: u.mailRunFailures },
  };
  return (
    <div className="flex flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold">Account</h1>
        <p className="text-sm text-muted-fg">Your email address and the notifications that also come by email.</p>
      </header>
      <AccountPanel me={me} canWrite={can(actor, "profile:write")} />
    </div>
  );
}
