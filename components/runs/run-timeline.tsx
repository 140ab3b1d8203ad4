"use client";
import { formatDuration } from "@/lib/charts/format";
import { prepareTimeline } from "@/lib/charts/prepare-timeline";
import { EmptyState } from "../ui/empty-state";
import { Table, Td, Th } from "../ui/table";
import type { Run } from "./run-types";
import { STATUS_COLOR, StatusBadge } from "./status-badge";

export function RunTimeline({ run }: { run: Run }) {
  // The run query re-renders this every 1.5 s while the run is live, which keeps the last segment growing.
  const t = prepareTimeline(run.events, Date.now());
  if (!t.events.length) return <EmptyState title="No status changes yet" />;
  const summary = t.segments.map((s) => `${s.status.toLowerCase()} ${formatDuration(s.ms)}`).join(", ");
  return (
    <div className="flex flex-col gap-6">
      {t.segments.length > 0 && (
        <figure className="flex flex-col gap-2">
          <div role="img" aria-label={`Time in each status: ${summary}`} className="flex h-6 w-full gap-px overflow-hidden rounded-md bg-muted">
            {t.segments.map((s) => (
              <div
                key={s.start}
                title={`${s.status.toLowerCase()}: ${formatDuration(s.ms)}`}
                style={{ flexGrow: s.fraction, flexBasis: 0, minWidth: 3, background: STATUS_COLOR[s.status] }}
              />
            ))}
          </div>
          <figcaption className="flex flex-wrap justify-between gap-2 text-xs text-muted-fg">
            <span>{summary}</span>
            <span>total {formatDuration(t.totalMs)}</span>
          </figcaption>
        </figure>
      )}
      <Table caption="Status changes">
        <thead>
          <tr>
            <Th>When</Th>
            <Th>Change</Th>
            <Th>Reason</Th>
            <Th>By</Th>
          </tr>
        </thead>
        <tbody>
          {t.events.map((e, i) => (
            <tr key={`${e.at}-${i}`}>
              <Td className="whitespace-nowrap tabular-nums">
                <time dateTime={e.at}>{new Date(e.at).toLocaleString()}</time>
              </Td>
              <Td className="whitespace-nowrap">
                {e.from ? <StatusBadge status={e.from} /> : <span className="text-muted-fg">created</span>}
                <span aria-hidden className="px-2 text-muted-fg">
                  →
                </span>
                <span className="sr-only">to</span>
                <StatusBadge status={e.to} />
              </Td>
              <Td className="whitespace-pre-wrap">{e.reason || <span className="text-muted-fg">—</span>}</Td>
              <Td>{e.actor}</Td>
            </tr>
          ))}
        </tbody>
      </Table>
    </div>
  );
}
