import { type ParseArgsConfig, parseArgs } from "node:util";

/** Parses argv with node:util, turning its errors into one line plus the command's usage. */
export function parseCommandLine<T extends NonNullable<ParseArgsConfig["options"]>>(
  argv: string[],
  options: T,
  usage: string,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true });
  } catch (error) {
    fail(`${(error as Error).message}\n\n${usage}`);
  }
}

/** Prints a message (no stack trace: it is for a person) and exits non-zero. */
export function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

/** Runs a command's main, reporting any error as its message alone. */
export function runMain(main: () => Promise<void>): void {
  main().catch((error: unknown) => fail(error instanceof Error ? error.message : String(error)));
}
