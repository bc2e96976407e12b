import { createLogger } from "@photogate/core";

/** Drops every line: the S3 parts' default when nobody passes core's Logger. */
export const silentLogger = createLogger(() => {});
