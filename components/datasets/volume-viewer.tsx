"use client";
import { useEffect, useRef, useState } from "react";
import { Button } from "../ui/button";

const PRESETS = { lung: [-1350, 150], soft: [-160, 240], bone: [-500, 1300] } as const;
type Preset = keyof typeof PRESETS;
type Location = { mm: number[]; vox: number[]; value: number | null };

const REFUSED: Record<number, string> = { 404: "the volume was not found", 409: "its file changed since it was indexed", 422: "its NIfTI export could not be made" };

/** The export is made by the server's job process on first view: asks (HEAD) until it is ready, as Retry-After says. */
async function waitUntilReady(url: string, cancelled: () => boolean, onWaiting: () => void) {
  for (;;) {
    const r = await fetch(url, { method: "HEAD" });
    if (r.ok || cancelled()) return;
    if (r.status !== 503) throw new Error(REFUSED[r.status] ?? `the server answered ${r.status}`);
    onWaiting();
    await new Promise((res) => setTimeout(res, Math.min(10, Number(r.headers.get("retry-after")) || 2) * 1000));
  }
}

/** NiiVue on the scan's clean NIfTI export: three planes and a 3D view, window presets, scrolling, and the
 * crosshair's position in RAS millimetres and voxels with the HU under it. */
export function VolumeViewer({ scanId }: { scanId: string }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const viewer = useRef<{ volumes: { cal_min: number; cal_max: number }[]; updateGLVolume(): void } | null>(null);
  const [state, setState] = useState<"loading" | "preparing" | "ready" | "failed">("loading");
  const [error, setError] = useState("");
  const [loc, setLoc] = useState<Location | null>(null);
  const [preset, setPreset] = useState<Preset>("soft");

  useEffect(() => {
    let cancelled = false;
    (async () => {
      try {
        const { Niivue } = await import("@niivue/niivue");
        const nv = new Niivue({ backColor: [0, 0, 0, 1], crosshairColor: [1, 0.2, 0.2, 1], show3Dcrosshair: true, isResizeCanvas: true });
        await nv.attachToCanvas(canvas.current!);
        nv.onLocationChange = (d: unknown) => {
          const x = d as { mm: ArrayLike<number>; vox: ArrayLike<number>; values?: { value: number }[] };
          setLoc({ mm: Array.from(x.mm).slice(0, 3), vox: Array.from(x.vox).slice(0, 3), value: x.values?.[0]?.value ?? null });
        };
        const [lo, hi] = PRESETS.soft;
        const url = `/api/v1/scans/${scanId}/volume`;
        await waitUntilReady(url, () => cancelled, () => setState("preparing"));
        if (cancelled) return;
        setState("loading");
        await nv.loadVolumes([{ url, name: `${scanId}.nii.gz`, colormap: "gray", cal_min: lo, cal_max: hi }]);
        nv.setSliceType(nv.sliceTypeMultiplanar);
        if (cancelled) return;
        viewer.current = nv as unknown as typeof viewer.current;
        setState("ready");
      } catch (e) {
        if (!cancelled) {
          setState("failed");
          setError((e as Error).message ?? String(e));
        }
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [scanId]);

  const apply = (p: Preset) => {
    setPreset(p);
    const v = viewer.current;
    if (!v?.volumes[0]) return;
    [v.volumes[0].cal_min, v.volumes[0].cal_max] = PRESETS[p];
    v.updateGLVolume();
  };

  return (
    <section aria-labelledby="viewer-heading" className="flex flex-col gap-2">
      <h2 id="viewer-heading" className="font-semibold">Interactive viewer</h2>
      <div className="flex flex-wrap items-center gap-2" role="group" aria-label="CT window">
        {(Object.keys(PRESETS) as Preset[]).map((p) => (
          <Button key={p} size="sm" variant={preset === p ? "primary" : "secondary"} aria-pressed={preset === p} onClick={() => apply(p)}>
            {p === "soft" ? "soft tissue" : p}
          </Button>
        ))}
        <span className="text-xs text-muted-fg">Scroll to move through slices, click to place the crosshair, right-drag to change window/level.</span>
      </div>
      <div className="relative h-[520px] w-full rounded border border-border bg-black">
        <canvas ref={canvas} aria-label="CT volume viewer: axial, coronal, sagittal and 3D" className="h-full w-full" />
        {state === "loading" && <p className="absolute inset-0 grid place-items-center text-sm text-white">Loading the volume…</p>}
        {state === "preparing" && <p role="status" className="absolute inset-0 grid place-items-center p-4 text-center text-sm text-white">Preparing the volume for viewing (first view only)…</p>}
        {state === "failed" && <p role="alert" className="absolute inset-0 grid place-items-center p-4 text-sm text-white">The viewer could not start: {error}. The previews above still show the volume.</p>}
      </div>
      <p className="font-mono text-xs" aria-live="polite" data-testid="crosshair" data-mm={loc?.mm.join(",")} data-vox={loc?.vox.join(",")}>
        {loc ? `crosshair ${loc.mm.map((v) => v.toFixed(1)).join(", ")} mm (RAS) · voxel ${loc.vox.join(", ")}${loc.value !== null ? ` · ${Math.round(loc.value)} HU` : ""}` : state === "ready" ? "click in the image to place the crosshair" : ""}
      </p>
    </section>
  );
}
