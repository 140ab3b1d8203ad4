"use client";
// Downloading a release file from the page with a progress bar and a sha256 check before it is saved. Files up to
// IN_MEMORY_MAX are read here (the bytes must be whole to hash them: Web Crypto has no incremental digest); larger
// ones go to the browser's own download manager, which shows its progress and resumes, through a short-lived link.
import { useRef, useState } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { saveHref as save } from "../charts/download";
import { formatBytes, formatEta } from "../datasets/format";
import { Button } from "../ui/button";

const IN_MEMORY_MAX = 512 * 2 ** 20;

type File = { path: string; bytes: number; sha256: string };
type State = { phase: "idle" } | { phase: "running"; received: number; started: number } | { phase: "done"; message: string } | { phase: "error"; message: string };

async function sha256Hex(blob: Blob) {
  const digest = await crypto.subtle.digest("SHA-256", await blob.arrayBuffer());
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

export function DownloadButton({ releaseId, file, label }: { releaseId: string; file: File; label: string }) {
  const [state, setState] = useState<State>({ phase: "idle" });
  const abort = useRef<AbortController | null>(null);
  const name = file.path.split("/").pop()!;

  async function start() {
    try {
      if (file.bytes > IN_MEMORY_MAX) {
        const { url } = await apiFetch<{ url: string }>(`/releases/${releaseId}/files/${encodeURIComponent(file.path)}/link`, { method: "POST" });
        save(url, name);
        setState({ phase: "done", message: `${name} (${formatBytes(file.bytes)}) is downloading in your browser; compare its sha256 with the one listed below.` });
        return;
      }
      abort.current = new AbortController();
      const started = Date.now();
      setState({ phase: "running", received: 0, started });
      const res = await fetch(`/api/v1/releases/${releaseId}/files/${encodeURIComponent(file.path)}`, { signal: abort.current.signal, credentials: "same-origin" });
      if (!res.ok || !res.body) {
        const p = (await res.json().catch(() => ({}))) as { detail?: string };
        throw new Error(p.detail ?? `The download failed (${res.status})`);
      }
      const reader = res.body.getReader();
      const chunks: Uint8Array[] = [];
      let received = 0;
      let shown = 0;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        chunks.push(value);
        received += value.length;
        // A repaint per 100 ms, not per chunk.
        if (Date.now() - shown > 100) {
          shown = Date.now();
          setState({ phase: "running", received, started });
        }
      }
      const blob = new Blob(chunks as BlobPart[], { type: "application/octet-stream" });
      if (!crypto?.subtle) {
        save(URL.createObjectURL(blob), name);
        setState({ phase: "done", message: `Saved ${name}; this page can't check its sha256 over plain http: compare it with the one listed below.` });
        return;
      }
      const digest = await sha256Hex(blob);
      if (digest !== file.sha256) throw new Error(`The sha256 of what arrived (${digest.slice(0, 12)}…) is not the release's; nothing was saved. Try again.`);
      const href = URL.createObjectURL(blob);
      save(href, name);
      setTimeout(() => URL.revokeObjectURL(href), 60_000);
      setState({ phase: "done", message: `Saved ${name} (${formatBytes(received)}); its sha256 matches the release's.` });
    } catch (e) {
      setState(abort.current?.signal.aborted ? { phase: "idle" } : { phase: "error", message: (e as Error).message });
    }
  }

  const running = state.phase === "running";
  const seconds = running ? (Date.now() - state.started) / 1000 : 0;
  const rate = running && seconds > 0.5 ? state.received / seconds : null;
  return (
    <div className="flex flex-col gap-2">
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={start} disabled={running}>{label}</Button>
        {running && <Button variant="secondary" onClick={() => abort.current?.abort()}>Cancel</Button>}
      </div>
      {running && (
        <div className="flex flex-col gap-1 text-xs">
          <progress className="h-2 w-72" max={file.bytes} value={state.received} aria-label={`Downloading ${name}`} />
          <span className="tabular-nums text-muted-fg">
            {formatBytes(state.received)} of {formatBytes(file.bytes)}
            {rate ? `, ${formatBytes(rate)}/s, ${formatEta(Math.round((file.bytes - state.received) / rate))}` : ""}
          </span>
        </div>
      )}
      {state.phase === "done" && <p role="status" className="text-sm text-ok">{state.message}</p>}
      {state.phase === "error" && <p role="alert" className="text-sm text-danger">{state.message}</p>}
    </div>
  );
}
