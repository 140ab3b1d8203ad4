import { uploadRoute } from "@/lib/api/upload-route";

export const HEAD = uploadRoute;
export const PATCH = uploadRoute;
