export * from "./errors";
export * from "./identity-pool-credentials";
