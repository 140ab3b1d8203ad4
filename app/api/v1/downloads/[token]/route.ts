import { contracts } from "@/lib/api/contracts";
import { releaseFileResponse } from "@/lib/api/release-file-response";
import { route } from "@/lib/api/route";
import { requestedRange } from "@/lib/http/byte-range";
import { openLinkedFile } from "@/lib/services/releases/release-downloads";

/** HEAD is decided like a GET (the link, then the named person's access) but is not a download. */
const serve = route(contracts.downloadByLink, async ({ ip, params, req }) => {
  const head = req.method === "HEAD";
  const range = head ? null : requestedRange(req.headers);
  const f = await openLinkedFile(params.token, ip ?? null, range, head ? { record: false, open: false } : {});
  return releaseFileResponse(f, { ranged: !!range, filename: f.name });
});

export { serve as GET, serve as HEAD };
