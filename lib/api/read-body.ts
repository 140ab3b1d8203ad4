import { invalid, tooLarge } from "../errors";

/** Reads at most `limit` bytes, refusing larger bodies before buffering them. */
export async function readBody(req: Request, limit: number): Promise<Buffer> {
  const declared = Number(req.headers.get("content-length") ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return Buffer.alloc(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw tooLarge(limit);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

export async function readJson(req: Request, limit: number): Promise<unknown> {
  const type = req.headers.get("content-type") ?? "";
  const raw = await readBody(req, limit);
  if (raw.length === 0) return undefined;
  if (!/^application\/([a-z.+-]*\+)?json\b/i.test(type)) {
    throw invalid("Send the body as JSON", [{ field: "content-type", message: "expected application/json" }]);
  }
  try {
    return JSON.parse(raw.toString("utf8"));
  } catch (e) {
    throw invalid("The body is not valid JSON", [{ field: "body", message: (e as Error).message }]);
  }
}
