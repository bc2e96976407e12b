export * from "./credential-refresh";
export * from "./errors";
export * from "./identity-pool-credentials";
export * from "./photo-transport";
export * from "./photo-upload";
export * from "./profile-picture";
export * from "./report-photo";
export * from "./wait-for-verdict";
