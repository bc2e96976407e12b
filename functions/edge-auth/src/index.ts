export {
  ALLOWED_METHODS,
  createViewerRequestHandler,
  type RefusalLogLine,
  type ViewerRequestDeps,
  type ViewerRequestHandler,
} from "./authorise";
export { type EdgeConfig, jwksUri, parseEdgeConfig } from "./config";
export * from "./errors";
export { type AccessTokenClaims, createAccessTokenVerifier, tokenFromAuthorization } from "./verifier";
