// dynalite ships no type declarations; this covers what the local stack uses.
declare module "dynalite" {
  import type { Server } from "node:http";
  export default function dynalite(options?: {
    /** Folder for a persistent LevelDB store; in memory when absent. */
    path?: string;
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }): Server;
}
