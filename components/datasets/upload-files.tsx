"use client";
import { useRef, useState } from "react";
import { Upload } from "tus-js-client";
import { Button } from "../ui/button";
import { formatBytes } from "./format";

type Item = { name: string; size: number; sent: number; state: "waiting" | "uploading" | "done" | "failed"; error?: string };
const PARALLEL = 3;
const CHUNK = 32 * 2 ** 20; // under the endpoint's 64 MiB request limit

/** Files or a whole folder from this computer into the draft version, resumable (tus): a dropped connection
 * retries from the server's offset, and choosing the same files again after a reload resumes them. */
export function UploadFiles({ versionId, onUploaded }: { versionId: string; onUploaded: () => void }) {
  const [items, setItems] = useState<Item[]>([]);
  const busy = useRef(false);
  const total = items.reduce((n, i) => n + i.size, 0);
  const sent = items.reduce((n, i) => n + i.sent, 0);
  const pct = total ? Math.floor((100 * sent) / total) : 0;

  const start = async (files: File[]) => {
    if (!files.length || busy.current) return;
    busy.current = true;
    const list: Item[] = files.map((f) => ({ name: (f as File & { webkitRelativePath?: string }).webkitRelativePath || f.name, size: f.size, sent: 0, state: "waiting" }));
    setItems(list);
    const patch = (i: number, p: Partial<Item>) => setItems((xs) => xs.map((x, j) => (j === i ? { ...x, ...p } : x)));
    let next = 0;
    const worker = async () => {
      while (next < files.length) {
        const i = next++;
        patch(i, { state: "uploading" });
        await new Promise<void>((resolve) => {
          const u = new Upload(files[i], {
            endpoint: "/api/v1/uploads",
            chunkSize: CHUNK,
            retryDelays: [0, 1000, 3000, 10000, 30000],
            metadata: { versionId, name: list[i].name, filename: files[i].name },
            // Resuming across reloads: the same file into the same version finds its earlier upload.
            fingerprint: async (file) => `hounsfield-${versionId}-${list[i].name}-${(file as File).size}-${(file as File).lastModified}`,
            removeFingerprintOnSuccess: true,
            onProgress: (bytes) => patch(i, { sent: bytes }),
            onSuccess: () => {
              patch(i, { state: "done", sent: files[i].size });
              resolve();
            },
            onError: (e) => {
              const body = (e as { originalResponse?: { getBody(): string } }).originalResponse?.getBody() ?? "";
              let reason = e.message;
              try {
                reason = JSON.parse(body).detail ?? reason;
              } catch {
                // not problem+json: keep tus's message
              }
              patch(i, { state: "failed", error: reason });
              resolve();
            },
          });
          u.findPreviousUploads().then((previous) => {
            if (previous[0]) u.resumeFromPreviousUpload(previous[0]);
            u.start();
          });
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(PARALLEL, files.length) }, worker));
    busy.current = false;
    onUploaded();
  };

  const failed = items.filter((i) => i.state === "failed");
  const done = items.filter((i) => i.state === "done").length;
  return (
    <section aria-labelledby="upload-heading" className="flex flex-col gap-2 rounded border border-border p-3">
      <h2 id="upload-heading" className="font-medium">Upload from this computer</h2>
      <p className="text-sm text-muted-fg">NIfTI files, DICOM folders (a series stays together by its folder), and reports (<code>scan.txt</code> or <code>reports.csv</code>). Uploads resume after a lost connection.</p>
      <div className="flex flex-wrap gap-3 text-sm">
        <label className="flex flex-col gap-1">
          <span>Files</span>
          <input type="file" multiple onChange={(e) => void start([...(e.target.files ?? [])])} aria-label="Choose files to upload" />
        </label>
        <label className="flex flex-col gap-1">
          <span>A folder</span>
          <input type="file" multiple {...({ webkitdirectory: "" } as object)} onChange={(e) => void start([...(e.target.files ?? [])])} aria-label="Choose a folder to upload" />
        </label>
      </div>
      {items.length > 0 && (
        <div className="flex flex-col gap-1 text-sm">
          <progress max={100} value={pct} aria-label={`Upload: ${done} of ${items.length} files, ${pct} %`} className="h-2 w-full">{pct} %</progress>
          <span className="text-muted-fg">{done} of {items.length} files · {formatBytes(sent)} of {formatBytes(total)}</span>
          {failed.length > 0 && (
            <ul className="text-danger" role="alert">
              {failed.slice(0, 20).map((f) => <li key={f.name}><span className="font-mono">{f.name}</span>: {f.error}</li>)}
            </ul>
          )}
          {failed.length > 0 && !busy.current && <Button size="sm" variant="secondary" className="self-start" onClick={() => setItems([])}>Clear</Button>}
        </div>
      )}
    </section>
  );
}
