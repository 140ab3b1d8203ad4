"use client";
import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from "react";
import { apiFetch } from "@/lib/api/client-fetch";
import { count } from "@/lib/charts/format";
import { Input } from "../ui/input";

type LogLine = { seq: number; text: string; at: string };
type LogPage = { lines: LogLine[]; last: number };
/** One chunk (seq) holds many lines, so lines get their own key. */
type ShownLine = LogLine & { n: number };

/** Chunks per request; the server splits them into lines. */
const PAGE = 500;
/** The browser keeps the newest lines only; search reaches the rest on the server. */
const KEEP = 5000;

/** Polls for lines after the last one seen; a search restarts from the top with the server filtering. */
export function RunLogs({ runId, live }: { runId: string; live: boolean }) {
  const [search, setSearch] = useState("");
  const [q, setQ] = useState("");
  const [{ lines, trimmed }, setLog] = useState<{ lines: ShownLine[]; trimmed: boolean }>({ lines: [], trimmed: false });
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string | null>(null);
  const [follow, setFollow] = useState(true);
  const [attempt, setAttempt] = useState(0);
  const box = useRef<HTMLDivElement>(null);
  const cursor = useRef({ key: "", after: -1, n: 0 });
  const followId = useId();

  useEffect(() => {
    const t = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(t);
  }, [search]);

  useEffect(() => {
    const key = `${runId}\n${q}`;
    if (cursor.current.key !== key) {
      cursor.current = { key, after: -1, n: 0 };
      setLog({ lines: [], trimmed: false });
      setLoading(true);
    }
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    async function poll() {
      try {
        for (;;) {
          const p = new URLSearchParams({ after: String(cursor.current.after), limit: String(PAGE) });
          if (q) p.set("q", q);
          const page = await apiFetch<LogPage>(`/runs/${runId}/logs?${p}`);
          if (stopped) return;
          const before = cursor.current.after;
          cursor.current.after = Math.max(before, page.last);
          if (page.lines.length) {
            const fresh = page.lines.map((l) => ({ ...l, n: cursor.current.n++ }));
            setLog((prev) => {
              const all = prev.lines.concat(fresh);
              return all.length <= KEEP ? { lines: all, trimmed: prev.trimmed } : { lines: all.slice(-KEEP), trimmed: true };
            });
          }
          setError(null);
          // Keep reading while a full page came back; a finished run reads on until nothing new is left.
          const chunks = new Set(page.lines.map((l) => l.seq)).size;
          if (cursor.current.after === before || (live && chunks < PAGE)) break;
        }
      } catch (e) {
        if (!stopped) setError(e instanceof Error ? e.message : String(e));
      }
      if (stopped) return;
      setLoading(false);
      // A finished run gets one last read (the tail written while it stopped) and no more polling.
      if (live) timer = setTimeout(poll, 1500);
    }
    poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [runId, q, live, attempt]);

  useLayoutEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  function onScroll() {
    const el = box.current;
    if (!el) return;
    const atBottom = el.scrollHeight - el.scrollTop - el.clientHeight < 24;
    if (atBottom !== follow) setFollow(atBottom);
  }

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-wrap items-end gap-4">
        <Input label="Search logs" type="search" value={search} onChange={(e) => setSearch(e.target.value)} placeholder="text to match" className="w-72" />
        <label htmlFor={followId} className="flex h-10 items-center gap-2 text-sm">
          <input id={followId} type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} />
          Follow new lines
        </label>
        <span className="ml-auto h-10 content-center text-xs text-muted-fg" aria-live="polite">
          {loading ? "Loading…" : `${count(lines.length, "line")}${q ? ` matching “${q}”` : ""}${live ? " · live" : ""}`}
        </span>
      </div>
      {error && (
        <p role="alert" className="text-sm text-danger">
          Could not load logs: {error}{" "}
          {!live && (
            <button type="button" className="underline" onClick={() => setAttempt((a) => a + 1)}>
              Retry
            </button>
          )}
        </p>
      )}
      {trimmed && <p className="text-xs text-muted-fg">Showing the newest {KEEP.toLocaleString("en")} lines. Search to find older ones.</p>}
      <div
        ref={box}
        onScroll={onScroll}
        role="log"
        aria-live="polite"
        aria-label="Run log"
        tabIndex={0}
        className="h-[60vh] overflow-auto rounded-lg border border-border bg-muted/40 p-3 font-mono text-xs leading-5"
      >
        {!loading && lines.length === 0 ? (
          <p className="text-muted-fg">{q ? "No lines match." : live ? "No output yet. Lines appear here within 2 s of being written." : "This run wrote no output."}</p>
        ) : (
          lines.map((l) => (
            <div key={l.n} className="whitespace-pre-wrap break-all">
              <time dateTime={l.at} className="mr-3 select-none text-muted-fg">
                {new Date(l.at).toLocaleTimeString()}
              </time>
              <Highlight text={l.text} match={q} />
            </div>
          ))
        )}
      </div>
    </div>
  );
}

function Highlight({ text, match }: { text: string; match: string }) {
  if (!match) return text;
  const lower = text.toLowerCase();
  const needle = match.toLowerCase();
  const parts: ReactNode[] = [];
  let from = 0;
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, i + needle.length)) {
    parts.push(text.slice(from, i), <mark key={i} className="rounded-sm bg-warn/30 text-fg">{text.slice(i, i + needle.length)}</mark>);
    from = i + needle.length;
  }
  parts.push(text.slice(from));
  return parts;
}
