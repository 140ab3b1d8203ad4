import { noEndpoint, problem } from "@/lib/api/problem";

// Unknown API paths answer JSON, never the HTML 404 page: the same 404 as the server's API dispatcher.
function notFound(req: Request) {
  const nf = noEndpoint(new URL(req.url).pathname);
  return problem(nf.status, nf.title, nf.detail);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
