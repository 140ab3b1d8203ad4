export { modelInfo as GET } from "@/lib/hub/hub-handlers";
