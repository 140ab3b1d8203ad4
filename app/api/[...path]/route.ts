import { problem } from "@/lib/api/problem";

// Unknown API paths answer JSON, never the HTML 404 page.
function notFound(req: Request) {
  return problem(404, "Not found", `No API endpoint at ${new URL(req.url).pathname}`);
}

export { notFound as GET, notFound as POST, notFound as PUT, notFound as PATCH, notFound as DELETE };
