import type { TestProject } from "vitest/node";
import { startTestCluster } from "../support/template-db";

export default async function setup(project: TestProject) {
  const cluster = await startTestCluster();
  project.provide("clusterUrl", cluster.url);
  return () => cluster.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    clusterUrl: string;
  }
}
