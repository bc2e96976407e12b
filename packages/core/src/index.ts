export * from "./admin-api";
export * from "./config";
export * from "./errors";
export * from "./keys";
export * from "./photo";
export * from "./retry";
export * from "./tables";
export * from "./verdict";
