import type { z } from "zod";
import type { ServiceContext } from "../../audit/record-audit";
import { db } from "../../db/client";
import type { ZRegister } from "../../schemas/user";
import { insertUser } from "./create-user";

/** Self-registration: a clinician at once, or a clinician waiting for an admin to confirm the researcher role. */
export async function registerUser(ctx: ServiceContext, input: z.output<typeof ZRegister>) {
  return db.$transaction((tx) =>
    insertUser(
      tx,
      ctx,
      { ...input, role: "CLINICIAN", requestedRole: input.role === "RESEARCHER" ? "RESEARCHER" : null },
      "user.register",
    ),
  );
}
