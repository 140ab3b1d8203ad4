import { buildOpenApi } from "@/lib/api/openapi";
import { requireUser } from "@/lib/auth/page-session";
import { VERSION } from "@/lib/version";

export const metadata = { title: "API" };

type Op = { summary: string; tags: string[]; parameters: { name: string; in: string; required: boolean }[]; requestBody?: { content: Record<string, { schema: unknown }> }; "x-permission"?: string; security: unknown[] };

export default async function ApiDocsPage() {
  await requireUser();
  const doc = buildOpenApi(VERSION);
  const ops = Object.entries(doc.paths).flatMap(([path, methods]) => Object.entries(methods as Record<string, Op>).map(([method, op]) => ({ path, method, op })));
  const tags = [...new Set(ops.map((o) => o.op.tags[0]))];
  return (
    <div className="flex max-w-4xl flex-col gap-6">
      <header>
        <h1 className="text-2xl font-semibold">API</h1>
        <p className="text-sm text-muted-fg">
          Base URL <code>/api/v1</code>. Authenticate with <code>Authorization: Bearer &lt;token&gt;</code>. Errors are
          <code> application/problem+json</code> naming the field at fault. Machine-readable:{" "}
          <a className="underline" href="/api/v1/openapi.json">openapi.json</a>.
        </p>
      </header>
      {tags.map((tag) => (
        <section key={tag} aria-labelledby={`tag-${tag}`} className="flex flex-col gap-3">
          <h2 id={`tag-${tag}`} className="text-lg font-semibold capitalize">{tag}</h2>
          {ops.filter((o) => o.op.tags[0] === tag).map(({ path, method, op }) => (
            <details key={`${method} ${path}`} className="rounded-md border border-border p-3">
              <summary className="cursor-pointer">
                <code className="font-semibold uppercase">{method}</code> <code>{path}</code> — {op.summary}
              </summary>
              <div className="mt-3 flex flex-col gap-2 text-sm">
                <p>Access: {op.security.length === 0 ? "public" : `needs permission ${op["x-permission"] ?? "(signed in)"}`}</p>
                {op.parameters.length > 0 && (
                  <p>Parameters: {op.parameters.map((p) => `${p.name} (${p.in}${p.required ? ", required" : ""})`).join(", ")}</p>
                )}
                {op.requestBody &&
                  Object.entries(op.requestBody.content).map(([type, body]) => (
                    <div key={type} className="flex flex-col gap-1">
                      <p>Body ({type}):</p>
                      <pre className="overflow-x-auto rounded bg-muted p-2 text-xs">{JSON.stringify(body.schema, null, 2)}</pre>
                    </div>
                  ))}
              </div>
            </details>
          ))}
        </section>
      ))}
    </div>
  );
}
