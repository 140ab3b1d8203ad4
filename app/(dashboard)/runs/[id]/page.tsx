import { notFound } from "next/navigation";
import { cache } from "react";
import { RunDetail } from "@/components/runs/run-detail";
import { requirePermission } from "@/lib/auth/page-session";
import { DomainError } from "@/lib/errors";
import { ZId } from "@/lib/schemas/common";
import { getRun } from "@/lib/services/runs/get-run";

// One read per request, shared by the title and the page.
const loadRun = cache(async (id: string) => {
  const actor = await requirePermission("run:read");
  if (!ZId.safeParse(id).success) notFound();
  const run = await getRun(actor, id).catch((e) => {
    if (e instanceof DomainError && e.status === 404) notFound();
    throw e;
  });
  return { actor, run };
});

export async function generateMetadata({ params }: { params: Promise<{ id: string }> }) {
  return { title: (await loadRun((await params).id)).run.name };
}

export default async function RunPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const { actor, run } = await loadRun(id);
  // Only what `can` reads crosses to the browser.
  const viewer = { kind: "user" as const, id: actor.id, email: actor.email, role: actor.role, ...(actor.token ? { token: actor.token } : {}) };
  return <RunDetail id={id} actor={viewer} initial={run} />;
}
