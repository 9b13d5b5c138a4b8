import { execFile } from 'node:child_process';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTailor } from '../../functions/cli/program';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin', 'tailor.js');

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** The tailor command in this process (fast): the same program main.ts runs, with captured output. */
export async function tailor(env: Record<string, string>, ...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTailor(args, {
    out: (text) => out.push(text),
    err: (text) => err.push(text),
    env: { ...process.env, ...env },
    cwd: ROOT,
    now: () => new Date(),
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

/** The installed bin/tailor.js in a child process: exit codes and streams as a shell sees them. */
export function spawnTailor(env: Record<string, string>, ...args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, timeout: 60_000, env: { ...process.env, ...env } },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

export function json<T = Record<string, unknown>>(run: Run): T {
  try {
    return JSON.parse(run.stdout) as T;
  } catch {
    throw new Error(`not JSON (exit ${run.code}):\n${run.stdout}\n${run.stderr}`);
  }
}

export const CHANGED_RULE = 'cyp2d6-codeine-poor';

/**
 * A copy of the bundled rules as version `version`, in which the CYP2D6 poor metabolizer codeine rule
 * advises use-alternative instead of avoid (rule version raised, its cases' expectations updated).
 */
export async function rulesWithChangedCodeineRule(dir: string, version: string): Promise<string> {
  await cp(join(ROOT, 'rules'), dir, { recursive: true });
  await editJson(join(dir, 'ruleset.json'), (ruleset) => {
    ruleset.version = version;
  });
  await editJson(join(dir, 'pgx', `${CHANGED_RULE}.rule.json`), (rule) => {
    (rule.outcome as { action: string }).action = 'use-alternative';
    rule.version = '1.1.0';
  });
  // Every case whose patient gets this rule's advice expected "avoid" from it.
  for (const file of ['cyp2d6-codeine-poor.cases.json', 'cyp2d6-codeine-normal.cases.json']) {
    await editJson(join(dir, 'pgx', file), (cases) => {
      for (const c of cases.cases as { expect: { action?: string } }[]) {
        if (c.expect.action === 'avoid') c.expect.action = 'use-alternative';
      }
    });
  }
  return dir;
}

export async function editJson(path: string, edit: (json: Record<string, unknown>) => void): Promise<void> {
  const json = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  edit(json);
  await writeFile(path, `${JSON.stringify(json, null, 2)}\n`);
}

/** A FHIR Bundle: a CYP2D6 *4/*4 (poor metabolizer) result and a codeine order. */
export function codeinePatient(patientId = 'cli-codeine-1'): Record<string, unknown> {
  return {
    resourceType: 'Bundle',
    type: 'collection',
    entry: [
      {
        resource: {
          resourceType: 'Observation',
          id: `${patientId}-cyp2d6`,
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '84413-4' }] },
          subject: { reference: `Patient/${patientId}` },
          valueCodeableConcept: { text: 'CYP2D6 *4/*4' },
          component: [
            {
              code: { coding: [{ system: 'http://loinc.org', code: '48018-6' }] },
              valueCodeableConcept: {
                coding: [{ system: 'http://www.genenames.org/geneId', code: 'HGNC:2625', display: 'CYP2D6' }],
              },
            },
          ],
        },
      },
      {
        resource: {
          resourceType: 'MedicationRequest',
          id: `${patientId}-order`,
          status: 'draft',
          intent: 'order',
          subject: { reference: `Patient/${patientId}` },
          medicationCodeableConcept: { text: 'codeine 30 mg tablet' },
        },
      },
    ],
  };
}
