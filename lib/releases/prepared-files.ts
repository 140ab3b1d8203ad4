// What the job that reads a checkpoint's release files hands back (lib/services/releases/checkpoint-release-files.ts)
// to the release it is made for: where each file is kept, its kind, sha256 and size, and the preprocessing contract.
export type PreparedFiles = { files: { name: string; kind: string; key: string; sha256: string; bytes: number }[]; preprocessing: Record<string, unknown> };

export const releaseFilesKey = (checkpointId: string) => `release-files:${checkpointId}`;
