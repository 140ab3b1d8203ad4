"use client";
import { useState } from "react";
import { Button } from "../ui/button";

const WINDOWS = { lung: "lung", soft: "soft tissue", bone: "bone" } as const;

/** The server's three mid-plane previews in one CT window at a time. */
export function ScanPreviews({ scanId }: { scanId: string }) {
  const [win, setWin] = useState<keyof typeof WINDOWS>("soft");
  return (
    <section aria-labelledby="previews-heading" className="flex flex-col gap-2">
      <h2 id="previews-heading" className="font-semibold">Previews</h2>
      <div className="flex gap-2" role="group" aria-label="CT window">
        {(Object.keys(WINDOWS) as (keyof typeof WINDOWS)[]).map((w) => (
          <Button key={w} size="sm" variant={win === w ? "primary" : "secondary"} aria-pressed={win === w} onClick={() => setWin(w)}>{WINDOWS[w]}</Button>
        ))}
      </div>
      <div className="flex flex-wrap gap-3">
        {(["axial", "coronal", "sagittal"] as const).map((p) => (
          <figure key={p} className="flex flex-col items-center gap-1">
            {/* eslint-disable-next-line @next/next/no-img-element -- a PNG rendered by the API, not a static asset */}
            <img src={`/api/v1/scans/${scanId}/preview?plane=${p}&window=${win}`} alt={`${p} mid-plane in the ${WINDOWS[win]} window`} className="h-64 w-64 bg-black object-contain" style={{ imageRendering: "pixelated" }} />
            <figcaption className="text-xs text-muted-fg">{p}</figcaption>
          </figure>
        ))}
      </div>
    </section>
  );
}
