// Shared by the CLI entry and its commands (so commands never import the entry that loads them).
export class UsageError extends Error {}

export type Flags = Record<string, string | boolean | undefined>;
