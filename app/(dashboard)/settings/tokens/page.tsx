import { TokensPanel } from "@/components/tokens/tokens-panel";
import { requirePermission } from "@/lib/auth/page-session";
import { SCOPE_HELP, scopesAllowedFor } from "@/lib/auth/policy";

export const metadata = { title: "API tokens" };

export default async function TokensPage() {
  const actor = await requirePermission("token:read");
  return (
    <div className="flex flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold">API tokens</h1>
        <p className="text-sm text-muted-fg">
          For scripts, the Python client and GPU workers: send <code>Authorization: Bearer &lt;token&gt;</code>. A token is shown once.
        </p>
      </header>
      <TokensPanel scopes={scopesAllowedFor(actor.role).map((s) => ({ name: s, help: SCOPE_HELP[s] }))} />
    </div>
  );
}
