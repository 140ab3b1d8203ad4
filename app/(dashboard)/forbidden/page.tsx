import Link from "next/link";

export const metadata = { title: "Not allowed" };

export default async function ForbiddenPage({ searchParams }: { searchParams: Promise<{ action?: string }> }) {
  const { action } = await searchParams;
  return (
    <section className="flex flex-col items-start gap-3">
      <p className="text-sm text-muted-fg">403</p>
      <h1 className="text-2xl font-semibold">You don&apos;t have access to this page</h1>
      <p className="text-muted-fg">
        Your role does not allow {action ? <code>{action}</code> : "this"}. An administrator can change your role.
      </p>
      <Link href="/" className="underline">Back to the overview</Link>
    </section>
  );
}
