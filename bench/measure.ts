/** Timing helpers shared by the benchmarks: interleaved runs, medians and p99s, and the ratio. */

export interface Stats {
  median: number;
  p99: number;
  runs: number;
}

export interface Measurement {
  name: string;
  subject: Stats;
  baseline: Stats;
  /** baseline median / subject median: how many times faster the subject is. */
  ratio: number;
}

function stats(samples: number[]): Stats {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return { median: at(0.5), p99: at(0.99), runs: sorted.length };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
}

/**
 * Runs subject and baseline alternately in small blocks after a warm-up, so both see the same machine
 * load, until each has `runs` samples or `seconds` have passed.
 */
export async function measurePair(
  name: string,
  subject: () => Promise<unknown>,
  baseline: () => Promise<unknown>,
  { runs = 2000, seconds = 20, warmup = 200 } = {},
): Promise<Measurement> {
  for (let i = 0; i < warmup; i++) {
    await subject();
    await baseline();
  }
  const a: number[] = [];
  const b: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  while (a.length < runs && Date.now() < deadline) {
    for (let i = 0; i < 20; i++) a.push(await time(subject));
    for (let i = 0; i < 20; i++) b.push(await time(baseline));
  }
  const s = stats(a);
  const base = stats(b);
  return { name, subject: s, baseline: base, ratio: base.median / s.median };
}

export function formatMeasurement(m: Measurement, subjectName: string, baselineName: string): string {
  const f = (x: number) => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(2)} ms`);
  return [
    `${m.name}`,
    `  ${subjectName.padEnd(34)} median ${f(m.subject.median).padStart(9)}  p99 ${f(m.subject.p99).padStart(9)}  (${m.subject.runs} runs)`,
    `  ${baselineName.padEnd(34)} median ${f(m.baseline.median).padStart(9)}  p99 ${f(m.baseline.p99).padStart(9)}  (${m.baseline.runs} runs)`,
    `  ratio (baseline / Tailor, medians): ${m.ratio.toFixed(1)}x`,
  ].join('\n');
}
