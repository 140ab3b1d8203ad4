"use client";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { apiFetch, ApiProblem, type FieldErrors } from "@/lib/api/client-fetch";
import { Badge } from "../ui/badge";
import { Button } from "../ui/button";
import { Dialog } from "../ui/dialog";
import { EmptyState } from "../ui/empty-state";
import { Input } from "../ui/input";
import { Table, Td, Th } from "../ui/table";
import { useToast } from "../ui/toast";

type Token = { id: string; name: string; prefix: string; scopes: string[]; expiresAt: string | null; revokedAt: string | null; lastUsedAt: string | null; createdAt: string };

function when(iso: string | null, none: string) {
  return iso ? new Date(iso).toLocaleString() : none;
}

export function TokensPanel({ scopes }: { scopes: { name: string; help: string }[] }) {
  const client = useQueryClient();
  const toast = useToast();
  const [name, setName] = useState("");
  const [chosen, setChosen] = useState<string[]>(["read"]);
  const [days, setDays] = useState("90");
  const [errors, setErrors] = useState<FieldErrors>({});
  const [secret, setSecret] = useState<string | null>(null);
  const tokens = useQuery({ queryKey: ["tokens"], queryFn: () => apiFetch<{ tokens: Token[] }>("/tokens") });
  const create = useMutation({
    mutationFn: () => apiFetch<Token & { secret: string }>("/tokens", { method: "POST", body: { name, scopes: chosen, ...(days ? { expiresInDays: Number(days) } : {}) } }),
    onSuccess: (t) => {
      setSecret(t.secret);
      setName("");
      setErrors({});
      client.invalidateQueries({ queryKey: ["tokens"] });
    },
    onError: (e) => setErrors(e instanceof ApiProblem ? { ...e.fields, form: e.message } : { form: String(e) }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => apiFetch<Token>(`/tokens/${id}`, { method: "DELETE" }),
    onSuccess: (t) => {
      toast({ tone: "ok", title: `Revoked ${t.name}` });
      client.invalidateQueries({ queryKey: ["tokens"] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    create.mutate();
  }
  const rows = tokens.data?.tokens ?? [];
  return (
    <div className="flex flex-col gap-8">
      <form onSubmit={submit} className="flex max-w-xl flex-col gap-4 rounded-lg border border-border p-5" aria-labelledby="new-token">
        <h2 id="new-token" className="font-semibold">New token</h2>
        <Input label="Name" value={name} onChange={(e) => setName(e.target.value)} error={errors.name} required />
        <fieldset className="flex flex-col gap-1">
          <legend className="text-sm font-medium">Scopes</legend>
          <div className="flex flex-wrap gap-4">
            {scopes.map(({ name: s, help }) => (
              <label key={s} className="flex items-center gap-2 text-sm" title={help}>
                <input type="checkbox" checked={chosen.includes(s)} onChange={(e) => setChosen(e.target.checked ? [...chosen, s] : chosen.filter((c) => c !== s))} aria-describedby={`scope-${s}`} />
                {s}
                <span id={`scope-${s}`} className="sr-only">{help}</span>
              </label>
            ))}
          </div>
          {errors.scopes && <p className="text-sm text-danger">{errors.scopes}</p>}
        </fieldset>
        <Input label="Expires after (days, empty for never)" type="number" min={1} value={days} onChange={(e) => setDays(e.target.value)} error={errors.expiresInDays} />
        {errors.form && <p role="alert" className="text-sm text-danger">{errors.form}</p>}
        <Button type="submit" disabled={create.isPending} className="self-start">
          Create token
        </Button>
      </form>
      <Dialog open={secret !== null} onOpenChange={(o) => !o && setSecret(null)} title="Your new token" description="Copy it now: it is shown only once.">
        <code data-testid="new-token-secret" className="block break-all rounded bg-muted p-3 text-sm">{secret}</code>
        <Button className="mt-4" onClick={() => secret && navigator.clipboard?.writeText(secret)}>Copy</Button>
      </Dialog>
      {tokens.isLoading && <p role="status">Loading tokens…</p>}
      {!tokens.isLoading && rows.length === 0 && <EmptyState title="No tokens yet">Create one above for scripts, the Python client or a GPU worker.</EmptyState>}
      {rows.length > 0 && (
        <Table caption="Your API tokens">
          <thead>
            <tr>
              <Th>Name</Th>
              <Th>Token</Th>
              <Th>Scopes</Th>
              <Th>Expires</Th>
              <Th>Last used</Th>
              <Th><span className="sr-only">Actions</span></Th>
            </tr>
          </thead>
          <tbody>
            {rows.map((t) => (
              <tr key={t.id} data-testid={`token-${t.name}`}>
                <Td>{t.name}</Td>
                <Td><code>{t.prefix}…</code></Td>
                <Td>{t.scopes.join(", ")}</Td>
                <Td>{when(t.expiresAt, "never")}</Td>
                <Td>{when(t.lastUsedAt, "never")}</Td>
                <Td>
                  {t.revokedAt ? (
                    <Badge tone="danger">revoked</Badge>
                  ) : (
                    <Button size="sm" variant="danger" onClick={() => revoke.mutate(t.id)} aria-label={`Revoke ${t.name}`}>
                      Revoke
                    </Button>
                  )}
                </Td>
              </tr>
            ))}
          </tbody>
        </Table>
      )}
    </div>
  );
}
