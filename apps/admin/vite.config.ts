import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

export default defineConfig({
  plugins: [react()],
  build: {
    // Browsers support support staff are on; top-level await and private fields need no downlevelling.
    target: "es2022",
    // The size report (gzipped) is part of every build's output: the budget is < 200 KB for the first page.
    reportCompressedSize: true,
    sourcemap: false,
    // build.ts reads it to measure what the first page loads (the entry's static imports).
    manifest: true,
  },
  define: {
    // amazon-cognito-identity-js reads `global` (a Node-ism) in its Buffer polyfill path.
    global: "globalThis",
  },
});
