// The scenes are shared with the seed data of `pnpm dev`.
export * from "../src/sample-images";
