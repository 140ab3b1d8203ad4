import { randomBytes } from "node:crypto";
import { afterAll, inject } from "vitest";
import { disconnectDb } from "../../lib/db/client";
import { setEnv } from "../../lib/env";
import { cloneTemplate } from "../support/template-db";

const name = `test_${randomBytes(6).toString("hex")}`;
setEnv({ DATABASE_URL: await cloneTemplate(inject("clusterUrl"), name), NEXTAUTH_SECRET: "test-secret-test-secret-test-secret" });

afterAll(() => disconnectDb());
