// Every /api/v1 endpoint. A route file without an entry here fails the authorization matrix test.
import { z } from "zod";
import { ZAuditPage, ZAuditQuery } from "../schemas/audit";
import { ZIdParams } from "../schemas/common";
import { ZDataset, ZDatasetList, ZDatasetListQuery } from "../schemas/dataset";
import { ZCreatedToken, ZCreateToken, ZToken, ZTokenList, ZTokenListQuery } from "../schemas/token";
import { ZMe, ZRegister, ZSetupAdmin, ZUpdateUser, ZUser, ZUserList, ZUserListQuery } from "../schemas/user";
import { defineContract } from "./contract";

export const contracts = {
  health: defineContract({
    method: "GET", path: "/health", tag: "meta", auth: "public", summary: "Liveness and database check",
    response: z.object({ ok: z.boolean(), version: z.string() }),
  }),
  openapi: defineContract({
    method: "GET", path: "/openapi.json", tag: "meta", auth: "public", summary: "This API's OpenAPI 3.1 document",
    contentType: "application/json",
  }),
  register: defineContract({
    method: "POST", path: "/register", tag: "accounts", auth: "public", summary: "Create an account (clinician, or researcher pending an admin)",
    body: ZRegister, response: ZUser, status: 201, bodyLimit: 8 * 1024,
  }),
  setup: defineContract({
    method: "POST", path: "/setup", tag: "accounts", auth: "public", summary: "Create the first admin with the one-time setup link",
    body: ZSetupAdmin, response: ZUser, status: 201, bodyLimit: 8 * 1024,
  }),
  me: defineContract({
    method: "GET", path: "/me", tag: "accounts", auth: "user", permission: "profile:read", summary: "The calling user",
    response: ZMe,
  }),
  listUsers: defineContract({
    method: "GET", path: "/users", tag: "accounts", auth: "user", permission: "user:read", summary: "List users",
    query: ZUserListQuery, response: ZUserList,
  }),
  updateUser: defineContract({
    method: "PATCH", path: "/users/{id}", tag: "accounts", auth: "user", permission: "user:manage",
    summary: "Change a user's role, disable or enable them, or decide their requested role",
    params: ZIdParams, body: ZUpdateUser, response: ZUser, bodyLimit: 4 * 1024,
  }),
  listTokens: defineContract({
    method: "GET", path: "/tokens", tag: "tokens", auth: "user", permission: "token:manage",
    summary: "Your API tokens (admins: `all=true` for everyone's)", query: ZTokenListQuery, response: ZTokenList,
  }),
  createToken: defineContract({
    method: "POST", path: "/tokens", tag: "tokens", auth: "user", permission: "token:manage",
    summary: "Create an API token; the secret is in this response only", body: ZCreateToken, response: ZCreatedToken,
    status: 201, bodyLimit: 4 * 1024,
  }),
  revokeToken: defineContract({
    method: "DELETE", path: "/tokens/{id}", tag: "tokens", auth: "user", permission: "token:manage",
    summary: "Revoke an API token", params: ZIdParams, response: ZToken,
  }),
  listDatasets: defineContract({
    method: "GET", path: "/datasets", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "The dataset catalog: public CT datasets and the team's own", query: ZDatasetListQuery, response: ZDatasetList,
  }),
  getDataset: defineContract({
    method: "GET", path: "/datasets/{id}", tag: "datasets", auth: "user", permission: "dataset:read",
    summary: "One dataset", params: ZIdParams, response: ZDataset,
  }),
  listAuditEvents: defineContract({
    method: "GET", path: "/audit-events", tag: "admin", auth: "user", permission: "audit:read",
    summary: "The audit log, newest first", query: ZAuditQuery, response: ZAuditPage,
  }),
} as const;

