/**
 * What a command may touch of the outside world: its output streams, the environment and the working
 * directory. `main.ts` hands in the process's; tests hand in their own and run commands in-process.
 */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
  now(): Date;
}

export function processIo(): CliIo {
  return {
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    env: process.env,
    cwd: process.cwd(),
    now: () => new Date(),
  };
}

/**
 * Exit codes, the same for every command. Scripts can tell "the answer is no" (1) from "you called me
 * wrongly" (2) and "try again later: the store could not be reached or opened" (3).
 */
export const EXIT = { ok: 0, refused: 1, usage: 2, unavailable: 3 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** A refusal or failure a command reports and exits on: its code for scripts, its message for people. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    readonly exitCode: ExitCode,
    /** A short machine-readable reason (a RuleStoreError code, 'invalid-rules', 'store-locked' ...). */
    readonly reason: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const plural = (count: number, word: string, many = `${word}s`): string =>
  `${count} ${count === 1 ? word : many}`;

/** Left-aligned columns for readable tables. */
export function columns(rows: readonly (readonly string[])[], gap = '  '): string[] {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, i) => {
      widths[i] = Math.max(widths[i] ?? 0, cell.length);
    });
  }
  return rows.map((row) =>
    row
      .map((cell, i) => (i === row.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join(gap)
      .trimEnd(),
  );
}
