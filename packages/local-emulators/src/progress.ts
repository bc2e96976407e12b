/**
 * Step-by-step progress for people waiting on a command: a spinner on a terminal, plain
 * lines elsewhere (CI logs, pipes). No dependency: a few lines of ANSI do it.
 */
export interface Progress {
  step<T>(label: string, work: () => Promise<T>): Promise<T>;
  info(line: string): void;
}

const FRAMES = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

export function createProgress(stream: NodeJS.WriteStream = process.stderr): Progress {
  const tty = Boolean(stream.isTTY);
  return {
    async step(label, work) {
      const started = performance.now();
      let frame = 0;
      const timer = tty
        ? setInterval(() => stream.write(`\r${FRAMES[frame++ % FRAMES.length]} ${label}…`), 80)
        : undefined;
      if (!tty) stream.write(`… ${label}\n`);
      try {
        const result = await work();
        const ms = Math.round(performance.now() - started);
        stream.write(`${tty ? "\r\x1b[2K" : ""}✔ ${label} (${ms} ms)\n`);
        return result;
      } catch (error) {
        stream.write(`${tty ? "\r\x1b[2K" : ""}✖ ${label}\n`);
        throw error;
      } finally {
        if (timer) clearInterval(timer);
      }
    },
    info(line) {
      stream.write(`${line}\n`);
    },
  };
}

/** For tests and library use: records nothing, prints nothing. */
export const silentProgress: Progress = {
  step: (_label, work) => work(),
  info: () => {},
};
