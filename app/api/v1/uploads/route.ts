import { uploadRoute } from "@/lib/api/upload-route";

export const POST = uploadRoute;
