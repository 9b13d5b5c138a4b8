/**
 * `npx cdk synth` itself, once, as CI and an operator run it: offline (no credentials, no version check, no
 * telemetry, no notices), through cdk.json and infra/bin/app.ts, with cdk-nag failing the synthesis on any
 * unacknowledged finding.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, test } from 'vitest';
import { PROJECT_ROOT, scratchOutdir } from '../../infra/tailor-app';

const run = promisify(execFile);

const OFFLINE = {
  CDK_DISABLE_VERSION_CHECK: '1',
  CDK_DISABLE_CLI_TELEMETRY: 'true',
  AWS_EC2_METADATA_DISABLED: 'true',
  // No credentials, no profile: nothing to look up.
  AWS_ACCESS_KEY_ID: '',
  AWS_SECRET_ACCESS_KEY: '',
  AWS_PROFILE: '',
};

async function synth(args: string[], outdir: string) {
  try {
    return await runSynth(args, outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function runSynth(args: string[], outdir: string) {
  return run('npx', ['cdk', 'synth', '--no-notices', '-q', '-o', outdir, ...args], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...OFFLINE },
    timeout: 110_000,
    maxBuffer: 16 * 1024 * 1024,
  });
}

describe('npx cdk synth (offline)', () => {
  test('the dev stage synthesizes its three stacks, nag included', async () => {
    const outdir = scratchOutdir();
    const started = Date.now();
    await runSynth([], outdir);
    const seconds = (Date.now() - started) / 1000;
    for (const stack of ['Tailor-dev-Stateful', 'Tailor-dev-Edge', 'Tailor-dev-Stateless']) {
      expect(existsSync(join(outdir, `${stack}.template.json`)), stack).toBe(true);
    }
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: { violations?: unknown[] }[];
    };
    expect(report.pluginReports.flatMap((r) => r.violations ?? [])).toEqual([]);
    rmSync(outdir, { recursive: true, force: true });
    // Recorded for the CI budget; generous bound, the point is that it does not hang.
    expect(seconds).toBeLessThan(110);
  }, 120_000);

  test('an unknown stage fails synthesis, naming the stage and the known ones', async () => {
    const error = (await synth(['-c', 'stage=prod-typo'], scratchOutdir()).then(
      () => undefined,
      (e: unknown) => e,
    )) as { stderr?: string; code?: number } | undefined;
    expect(error?.code).not.toBe(0);
    expect(error?.stderr).toMatch(/Stage "prod-typo": invalid configuration: no such stage \(known: dev\)/);
  }, 60_000);
});
