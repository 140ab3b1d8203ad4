export { tree as GET } from "@/lib/hub/hub-handlers";
