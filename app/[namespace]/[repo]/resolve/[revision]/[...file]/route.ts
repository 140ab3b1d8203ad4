export { resolveGet as GET, resolveHead as HEAD } from "@/lib/hub/hub-handlers";
