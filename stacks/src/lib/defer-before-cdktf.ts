import { deferUnusedModules } from "./defer-unused-modules";

// Imported first by main.ts, so this runs before any module that loads cdktf.
deferUnusedModules();
