import { readFileSync } from "node:fs";
import { createViewerRequestHandler } from "./authorise";
import { parseEdgeConfig } from "./config";

/**
 * The deployed entry. Lambda@Edge has no environment variables, so the config (and the
 * user pool's JWKS) is a file the stack puts next to the bundle; it is read and validated
 * once per cold start, from local disk.
 */
const configUrl = new URL("./config.json", import.meta.url);
const config = parseEdgeConfig(JSON.parse(readFileSync(configUrl, "utf8")), configUrl.pathname);

export const handler = createViewerRequestHandler(config);
