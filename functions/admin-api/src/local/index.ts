export { createLocalAdminDeps, type LocalAdminDeps, type LocalAdminDepsOptions } from "./deps";
export { type AdminApiServer, type AdminApiServerOptions, startAdminApiServer } from "./server";
