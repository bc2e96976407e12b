export * from "./errors";
export * from "./identity-pool-credentials";
export * from "./photo-upload";
