import Link from "next/link";

export default function NotFound() {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 p-8 text-center">
      <p className="text-sm text-muted-fg">404</p>
      <h1 className="text-2xl font-semibold">This page does not exist</h1>
      <p className="text-muted-fg">The link may be old, or the item was deleted.</p>
      <Link href="/" className="underline">Back to the overview</Link>
    </main>
  );
}
