import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { readServiceConfig } from '../../functions/adapters/config';
import { readRulesDirectory } from '../../functions/adapters/files/rules-directory';
import { PROVENANCE_KEY } from '../../functions/core/cds/cards';
import type { RuleSetFile } from '../../functions/core/ports';
import { type LocalServer, startLocalServer } from '../../functions/server/local-server';
import { fullPrefetch, genotype, medicationRequest, orderSign } from '../support/cds-fixtures';
import { quietLog, quietMetrics } from '../support/doors';

// The service switches to a newly activated rule-set version within its refresh interval while it is
// answering a steady stream of requests, and not one request fails on the way.

const REFRESH_MS = 1000;
/** Time to notice the pointer moved, load and verify the new version, and prepare it, on a busy machine. */
const MARGIN_MS = 1500;
const WORKERS = 4;
const RULE = 'cyp2d6-codeine-poor';
const PATIENT = 'switch-1';

let server: LocalServer;

beforeAll(async () => {
  const config = readServiceConfig({
    HOST: '127.0.0.1',
    PORT: '0',
    TAILOR_RULESET_REFRESH_SECONDS: String(REFRESH_MS / 1000),
    // Answers wait for their audit write, so none is still in flight when the store closes.
    TAILOR_AUDIT_WAIT_MS: '1000',
  });
  server = await startLocalServer({ config, inMemory: true, log: quietLog, metrics: quietMetrics });
});
afterAll(async () => {
  await server?.close();
});

/** The bundled rules as 1.1.1, with the CYP2D6 poor metabolizer codeine advice changed to use-alternative. */
async function changedVersion(): Promise<RuleSetFile[]> {
  const files = (await readRulesDirectory()).filter((file) => !file.path.startsWith('schema/'));
  return files.map((file) => {
    if (file.path === 'ruleset.json')
      return { ...file, text: JSON.stringify({ ...JSON.parse(file.text), version: '1.1.1' }) };
    if (file.path !== `pgx/${RULE}.rule.json`) return file;
    const rule = JSON.parse(file.text);
    return {
      ...file,
      text: JSON.stringify({
        ...rule,
        version: '1.1.0',
        outcome: { ...rule.outcome, action: 'use-alternative' },
      }),
    };
  });
}

interface Sample {
  start: number;
  end: number;
  status: number;
  /** "<rule-set version> <action>" of the codeine card, or what went wrong. */
  outcome: string;
}

async function ask(): Promise<Sample> {
  const start = Date.now();
  const order = medicationRequest(`${PATIENT}-order`, PATIENT, {
    medicationCodeableConcept: { text: 'codeine 30 mg tablet' },
  });
  const body = orderSign(
    PATIENT,
    [order],
    fullPrefetch(PATIENT, [genotype(`${PATIENT}-cyp2d6`, PATIENT, 'CYP2D6', 'HGNC:2625', 'CYP2D6 *4/*4')]),
  );
  try {
    const response = await fetch(`${server.url}/cds-services/tailor-order-sign`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const { cards = [] } = (await response.json()) as {
      cards?: { extension?: Record<string, { ruleId?: string; ruleSetVersion?: string; action?: string }> }[];
    };
    const provenance = cards.map((card) => card.extension?.[PROVENANCE_KEY]);
    const codeine = provenance.filter((p) => p?.ruleId === RULE);
    const outcome =
      codeine.length === 1 && provenance.length === 1
        ? `${codeine[0]?.ruleSetVersion} ${codeine[0]?.action}`
        : `unexpected cards: ${provenance.map((p) => p?.ruleId).join(', ')}`;
    return { start, end: Date.now(), status: response.status, outcome };
  } catch (error) {
    return { start, end: Date.now(), status: 0, outcome: `request failed: ${String(error)}` };
  }
}

describe('rule-set version switch under load', () => {
  test('requests switch to the activated version within the refresh interval, none fails', async () => {
    const samples: Sample[] = [];
    let stopAt = Number.POSITIVE_INFINITY;
    const hardStop = Date.now() + 15_000;
    const worker = async () => {
      while (Date.now() < Math.min(stopAt, hardStop) && samples.length < 5000) samples.push(await ask());
    };
    const load = Promise.all(Array.from({ length: WORKERS }, worker));

    await new Promise((resolve) => setTimeout(resolve, 700));
    const files = await changedVersion();
    const switchStarted = Date.now();
    const store = server.ruleStore;
    await store.publish('1.1.1', files, 'Dr Ada', new Date().toISOString());
    await store.approve('1.1.1', 'Dr Bo', new Date().toISOString());
    await store.activate('1.1.1', 'Dr Bo', new Date().toISOString(), 'advice update', '1.1.0');
    const activated = Date.now();
    stopAt = activated + REFRESH_MS + MARGIN_MS + 1000;
    await load;

    expect(samples.filter((s) => s.status !== 200 || !/^1\.1\.[01] /.test(s.outcome))).toEqual([]);
    const before = samples.filter((s) => s.end <= switchStarted);
    const settled = samples.filter((s) => s.start >= activated + REFRESH_MS + MARGIN_MS);
    expect(before.length).toBeGreaterThan(0);
    expect(settled.length).toBeGreaterThan(0);
    expect(new Set(before.map((s) => s.outcome))).toEqual(new Set(['1.1.0 avoid']));
    expect(new Set(settled.map((s) => s.outcome))).toEqual(new Set(['1.1.1 use-alternative']));

    // The first answer from the new version came within the interval (+ margin) of the activation, and
    // from then on no request went back to the old one.
    const first = samples
      .filter((s) => s.outcome === '1.1.1 use-alternative')
      .reduce((a, b) => (a.end <= b.end ? a : b));
    expect(first.end - activated).toBeLessThanOrEqual(REFRESH_MS + MARGIN_MS);
    expect(samples.filter((s) => s.start >= first.end && s.outcome !== '1.1.1 use-alternative')).toEqual([]);
  });
});
