"use client";

export default function ErrorPage({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <main className="flex min-h-screen flex-col items-center justify-center gap-3 p-8 text-center">
      <h1 className="text-2xl font-semibold">Something went wrong</h1>
      <p className="text-muted-fg">The error was logged{error.digest ? ` (reference ${error.digest})` : ""}. Nothing you entered was lost on the server.</p>
      <button type="button" onClick={reset} className="rounded-md border border-border px-4 py-2">Try again</button>
    </main>
  );
}
