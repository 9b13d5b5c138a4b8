/**
 * Benchmark: order-sign over HTTP against the local server (embedded store, bundled rules), compared in the
 * same run with a no-op Node HTTP server that answers the same response bytes. autocannon drives both at 1
 * and 50 connections; each pairing alternates so both see the same machine load.
 */

import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';
import { readServiceConfig } from '../functions/adapters/config';
import { MemoryAuditStore } from '../functions/adapters/memory/audit-store';
import { MemoryRuleStore } from '../functions/adapters/memory/rule-store';
import { createStoreRuleSets } from '../functions/adapters/rulesets/store-rule-sets';
import { invokeService } from '../functions/core/cds/invoke';
import { installBundledRuleSet, startLocalServer } from '../functions/server/local-server';

const PATH = '/cds-services/tailor-order-sign';
const quiet = { info() {}, warn() {}, error() {} };

export interface HttpResult {
  connections: number;
  tailor: { rps: number; p50: number; p99: number; non2xx: number };
  noop: { rps: number; p50: number; p99: number; non2xx: number };
  ratio: number;
  /** Calls per second of the same request straight into the core, no HTTP and no store (see inProcess). */
  inProcess: number;
}

async function load(url: string, body: string, connections: number, seconds: number) {
  const result = await autocannon({
    url: `${url}${PATH}`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections,
    duration: seconds,
  });
  return {
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    non2xx: result.non2xx + result.errors,
  };
}

export async function benchHttp(seconds = 8): Promise<HttpResult[]> {
  const body = await readFile(
    new URL('../examples/requests/cyp2c19-poor-metabolizer-clopidogrel.order-sign.json', import.meta.url),
    'utf8',
  );
  const server = await startLocalServer({
    config: readServiceConfig({ PORT: '0', POWERTOOLS_METRICS_DISABLED: 'true' }),
    inMemory: true,
    log: quiet,
    metrics: { count() {}, timing() {} },
  });
  // The no-op server answers what Tailor answers, byte for byte, after reading the request body.
  const answer = Buffer.from(
    await (
      await fetch(`${server.url}${PATH}`, {
        method: 'POST',
        body,
        headers: { 'content-type': 'application/json' },
      })
    ).arrayBuffer(),
  );
  const noop = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': answer.length });
      res.end(answer);
    });
  });
  await new Promise<void>((resolve) => noop.listen(0, '127.0.0.1', resolve));
  const noopUrl = `http://127.0.0.1:${(noop.address() as AddressInfo).port}`;
  const results: HttpResult[] = [];
  try {
    for (const connections of [1, 50]) {
      await load(server.url, body, connections, 2); // warm-up
      const tailor = await load(server.url, body, connections, seconds);
      const baseline = await load(noopUrl, body, connections, seconds);
      const inProcess = await callsInProcess(body, seconds);
      results.push({ connections, tailor, noop: baseline, ratio: tailor.rps / baseline.rps, inProcess });
    }
  } finally {
    noop.close();
    await server.close();
  }
  return results;
}

/**
 * An upper bound for any HTTP server of Tailor's in this process: the same request parsed, evaluated and
 * answered (JSON text) by invokeService, one call after another, with the rule set and audit trail in memory.
 */
async function callsInProcess(body: string, seconds: number): Promise<number> {
  const rules = new MemoryRuleStore();
  await installBundledRuleSet(rules);
  const quietLog = { info() {}, warn() {}, error() {} };
  const deps = {
    ruleSets: createStoreRuleSets(rules),
    fhir: () => {
      throw new Error('the benchmark request carries its prefetch');
    },
    audit: new MemoryAuditStore(),
    clock: { now: () => new Date() },
    ids: { uuid: randomUUID },
    metrics: { count() {}, timing() {} },
    log: quietLog,
    pseudonymise: (id: string) => id,
    fetchBudgetMs: 2000,
  };
  const serviceId = PATH.split('/').pop() ?? '';
  let calls = 0;
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const outcome = await invokeService(serviceId, JSON.parse(body), { authenticated: false }, deps);
    if (outcome.kind !== 'cards') throw new Error(`in-process call refused: ${outcome.problem}`);
    JSON.stringify({ cards: outcome.cards });
    calls++;
  }
  return calls / seconds;
}

export function formatHttp(results: HttpResult[]): string {
  return results
    .map((r) =>
      [
        `order-sign over HTTP, ${r.connections} connection${r.connections === 1 ? '' : 's'}`,
        `  Tailor local server   ${r.tailor.rps.toFixed(0).padStart(6)} req/s  p50 ${r.tailor.p50} ms  p99 ${r.tailor.p99} ms  (non-2xx ${r.tailor.non2xx})`,
        `  no-op HTTP server     ${r.noop.rps.toFixed(0).padStart(6)} req/s  p50 ${r.noop.p50} ms  p99 ${r.noop.p99} ms`,
        `  throughput ratio (Tailor / no-op): ${r.ratio.toFixed(2)}`,
        `  ceiling: the core alone, in process, no HTTP, no store: ${r.inProcess.toFixed(0)} calls/s = ${(r.inProcess / r.noop.rps).toFixed(2)} of the no-op`,
      ].join('\n'),
    )
    .join('\n');
}
