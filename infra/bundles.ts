/**
 * The synthesized Lambda bundles, as the tests and `npm run measure:lambda` use them: where each concern's
 * bundle is in the cloud assembly, and a fresh Node process that imports one and answers API Gateway
 * (HTTP API, payload v2) events, timed. Nothing here is deployed.
 */
import { spawn } from 'node:child_process';
import { statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Stack, Stage } from 'aws-cdk-lib';
import type { Asset } from 'aws-cdk-lib/aws-s3-assets';
import type { StatelessStack } from './stacks/stateless-stack';

export interface FunctionBundle {
  /** The concern, e.g. CdsServices. */
  concern: string;
  dir: string;
  file: string;
  bytes: number;
  mapBytes: number;
  /** The function's environment as synthesized; values that are deploy-time references are left out. */
  environment: Record<string, string>;
}

/** Each concern's bundle, found through its function's code asset (bundled while the stack was built). */
export function functionBundles(stack: StatelessStack): FunctionBundle[] {
  const outdir = Stage.of(stack)?.outdir ?? '.';
  return Object.entries(stack.concerns).map(([concern, { function: tailor }]) => {
    const asset = tailor.fn.node.findChild('Code') as Asset;
    const dir = resolve(outdir, asset.assetPath);
    const file = join(dir, 'index.mjs');
    const rendered = Stack.of(stack).resolve(
      (tailor.fn.node.defaultChild as { environment?: unknown }).environment,
    ) as { variables?: Record<string, unknown> } | undefined;
    const environment = Object.fromEntries(
      Object.entries(rendered?.variables ?? {}).filter(
        (entry): entry is [string, string] => typeof entry[1] === 'string',
      ),
    );
    return {
      concern,
      dir,
      file,
      bytes: statSync(file).size,
      mapBytes: statSync(`${file}.map`).size,
      environment,
    };
  });
}

export interface LambdaReply {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface BundleRun {
  /** Milliseconds from the process's start to the first line of the runner (Node's own boot). */
  bootMs: number;
  /** Importing the bundle: module evaluation and the handler's cold-start initialisation. */
  importMs: number;
  /** Each event's time in the handler, in order; the first one is the cold call. */
  eventMs: number[];
  replies: LambdaReply[];
}

const RESULT = 'TAILOR-BUNDLE-RESULT ';

// Runs in the child: plain JavaScript, as the Lambda runtime would load the bundle.
const RUNNER = `
const bootMs = performance.now();
const { handler } = await import(process.env.TAILOR_BUNDLE_URL);
const importMs = performance.now() - bootMs;
const events = JSON.parse(process.env.TAILOR_BUNDLE_EVENTS);
const context = { functionName: 'local', awsRequestId: 'local', getRemainingTimeInMillis: () => 10000 };
const eventMs = [];
const replies = [];
for (const event of events) {
  const start = performance.now();
  const reply = await handler(event, context);
  eventMs.push(performance.now() - start);
  replies.push(reply);
}
process.stdout.write('\\n${RESULT}' + JSON.stringify({ bootMs, importMs, eventMs, replies }) + '\\n');
process.exit(0);
`;

/**
 * Imports the bundle in a fresh `node` and hands it the events one after the other. The environment is
 * exactly `env` plus PATH (nothing leaks in from this process).
 */
export function runBundle(
  file: string,
  env: Record<string, string>,
  events: Record<string, unknown>[],
  options: { nodeOptions?: string[]; timeoutMs?: number } = {},
): Promise<BundleRun> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(
      process.execPath,
      [...(options.nodeOptions ?? []), '--input-type=module', '-e', RUNNER],
      {
        env: {
          PATH: process.env.PATH ?? '',
          ...env,
          TAILOR_BUNDLE_URL: pathToFileURL(file).href,
          TAILOR_BUNDLE_EVENTS: JSON.stringify(events),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      const line = stdout.split('\n').find((l) => l.startsWith(RESULT));
      if (code !== 0 || !line) {
        reject(
          new Error(
            `bundle ${file} failed (${code ?? signal}):\n${stderr.slice(-4000)}\n${stdout.slice(-2000)}`,
          ),
        );
        return;
      }
      const run = JSON.parse(line.slice(RESULT.length)) as BundleRun;
      run.replies = run.replies.map((reply) => ({
        ...reply,
        headers: Object.fromEntries(
          Object.entries(reply.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
        ),
      }));
      resolvePromise(run);
    });
  });
}
