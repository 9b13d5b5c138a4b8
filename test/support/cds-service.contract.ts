import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Card } from '../../functions/core/cds/cards';
import {
  ATC,
  CYP2C19_POOR,
  clopidogrelConcept,
  draftOrders,
  fullPrefetch,
  genotype,
  hookInstance,
  medicationRequest,
  orderSelect,
  orderSign,
  patient,
  searchset,
} from './cds-fixtures';
import type { Door } from './doors';
import { type FhirTestServer, startFhirTestServer } from './fhir-test-server';

const EXAMPLES = fileURLToPath(new URL('../../examples/requests/', import.meta.url));
const SIGN = '/cds-services/tailor-order-sign';
const SELECT = '/cds-services/tailor-order-select';
const VIEW = '/cds-services/tailor-patient-view';
const TOKEN = 'fhir-access-token-for-tests';

const cardsOf = (json: unknown): Card[] => (json as { cards: Card[] }).cards;
const orderOf = (card: Card): string | undefined =>
  (card.extension?.['org.tailor-cds.provenance'] as { orderId?: string } | undefined)?.orderId;
const auth = (server: string) => ({
  fhirServer: server,
  fhirAuthorization: {
    access_token: TOKEN,
    token_type: 'Bearer',
    expires_in: 300,
    scope: 'patient/*.read',
    subject: 'tailor',
  },
});

/**
 * The behaviour of the CDS Hooks service, run through each door (local HTTP server, Lambda handler): the
 * same requests must give the same answers.
 */
export function describeCdsService(name: string, open: () => Promise<Door>): void {
  describe(`CDS Hooks service through the ${name}`, () => {
    let door: Door;
    let fhir: FhirTestServer;
    beforeAll(async () => {
      door = await open();
      fhir = await startFhirTestServer({
        token: TOKEN,
        pageSize: 2,
        resources: [
          patient('fetched-1'),
          CYP2C19_POOR('fetched-1'),
          genotype('fetched-1-cyp2c9', 'fetched-1', 'CYP2C9', 'HGNC:2623', 'CYP2C9 *1/*1'),
          genotype('fetched-1-vkorc1', 'fetched-1', 'VKORC1', 'HGNC:23663', 'VKORC1 rs9923231 C/T'),
          {
            resourceType: 'Medication',
            id: 'med-clopidogrel',
            code: clopidogrelConcept.medicationCodeableConcept,
          },
        ],
      });
    });
    afterAll(async () => {
      await fhir?.close();
      await door?.close();
    });

    test('discovery lists the three services with their prefetch templates', async () => {
      const reply = await door.send({ method: 'GET', path: '/cds-services' });
      expect(reply.status).toBe(200);
      const services = (
        reply.json as { services: { id: string; hook: string; prefetch: Record<string, string> }[] }
      ).services;
      expect(services.map((s) => [s.id, s.hook])).toEqual([
        ['tailor-order-select', 'order-select'],
        ['tailor-order-sign', 'order-sign'],
        ['tailor-patient-view', 'patient-view'],
      ]);
      expect(Object.keys(services[0]!.prefetch)).toEqual([
        'patient',
        'genomicObservations',
        'genomicReports',
        'conditions',
        'activeMedications',
      ]);
    });

    describe('the example requests in examples/requests', () => {
      const expected: Record<string, { indicator: string; summary: RegExp }> = {
        'cyp2c19-poor-metabolizer-clopidogrel.order-sign.json': {
          indicator: 'critical',
          summary: /CYP2C19 Poor Metabolizer/,
        },
        'antithrombin-deficiency-heparin.order-sign.json': {
          indicator: 'warning',
          summary: /antithrombin deficiency/i,
        },
        'factor-v-leiden-combined-pill.order-select.json': {
          indicator: 'critical',
          summary: /factor V Leiden/i,
        },
        'no-genomic-data.order-sign.json': { indicator: 'info', summary: /not tested/ },
      };
      test.each(Object.entries(expected))('%s', async (file, want) => {
        const request = JSON.parse(await readFile(`${EXAMPLES}${file}`, 'utf8')) as { hook: string };
        const reply = await door.send({
          method: 'POST',
          path: `/cds-services/tailor-${request.hook}`,
          body: request,
        });
        expect(reply.status).toBe(200);
        const [card] = cardsOf(reply.json);
        expect(card).toMatchObject({ indicator: want.indicator });
        expect(card?.summary).toMatch(want.summary);
      });
      test('all example files are covered', async () => {
        expect((await readdir(EXAMPLES)).sort()).toEqual(Object.keys(expected).sort());
      });
    });

    describe('requests shaped like the CDS Hooks 2.0 specification examples are accepted', () => {
      test('patient-view with an EHR-chosen prefetch key: ours are fetched from fhirServer', async () => {
        const request = {
          hookInstance: hookInstance(),
          hook: 'patient-view',
          ...auth(fhir.url),
          context: { userId: 'Practitioner/example', patientId: 'fetched-1', encounterId: '89284' },
          prefetch: { patientToGreet: patient('fetched-1') },
        };
        const reply = await door.send({ method: 'POST', path: VIEW, body: request });
        expect(reply.status).toBe(200);
        expect(
          cardsOf(reply.json).some((c) => c.summary.startsWith('CYP2C19 Poor Metabolizer: affects')),
        ).toBe(true);
      });

      test('order-select selecting a NutritionOrder among draft orders: accepted, nothing to say', async () => {
        const nutrition = {
          resourceType: 'NutritionOrder',
          id: 'pureeddiet-simple',
          status: 'draft',
          intent: 'proposal',
          patient: { reference: 'Patient/fetched-1' },
        };
        const request = {
          hookInstance: hookInstance(),
          hook: 'order-select',
          context: {
            userId: 'PractitionerRole/123',
            patientId: 'fetched-1',
            encounterId: '89284',
            selections: ['NutritionOrder/pureeddiet-simple'],
            draftOrders: draftOrders(
              nutrition,
              medicationRequest('smart-MedicationRequest-103', 'fetched-1', clopidogrelConcept),
            ),
          },
          prefetch: fullPrefetch('fetched-1', [CYP2C19_POOR('fetched-1')]),
        };
        const reply = await door.send({ method: 'POST', path: SELECT, body: request });
        expect(reply.status).toBe(200);
        expect(cardsOf(reply.json)).toEqual([]);
      });

      test('order-sign with fhirAuthorization and a PractitionerRole user, nothing prefetched', async () => {
        const request = {
          hookInstance: hookInstance(),
          hook: 'order-sign',
          ...auth(fhir.url),
          context: {
            userId: 'PractitionerRole/123',
            patientId: 'fetched-1',
            encounterId: '89284',
            draftOrders: draftOrders(medicationRequest('mr-s', 'fetched-1', clopidogrelConcept)),
          },
        };
        const reply = await door.send({ method: 'POST', path: SIGN, body: request });
        expect(reply.status).toBe(200);
        expect(cardsOf(reply.json)[0]?.indicator).toBe('critical');
      });
    });

    describe('cards', () => {
      test('a Strong contraindication: critical card with provenance, suggestions, override reasons and a SMART-ready shape', async () => {
        const request = orderSign(
          'p-1',
          [medicationRequest('mr-1', 'p-1', clopidogrelConcept)],
          fullPrefetch('p-1', [CYP2C19_POOR('p-1')]),
        );
        const reply = await door.send({ method: 'POST', path: SIGN, body: request });
        const cards = cardsOf(reply.json);
        expect(cards).toHaveLength(1);
        const card = cards[0]!;
        expect(card.uuid).toMatch(/^[0-9a-f-]{36}$/);
        expect(card.summary.length).toBeLessThan(140);
        expect(card.summary).toMatch(/clopidogrel/i);
        expect(card.indicator).toBe('critical');
        expect(card.source).toMatchObject({
          label: 'Tailor · CPIC',
          url: expect.stringContaining('cpicpgx.org'),
        });
        expect(card.source.topic).toMatchObject({ code: 'cyp2c19-clopidogrel-poor-acs-pci' });
        expect(card.detail).toContain('*2/*2 → Poor Metabolizer');
        expect(card.detail).toContain('rule set 1.1.0');
        expect(card.extension?.['org.tailor-cds.provenance']).toMatchObject({
          ruleId: 'cyp2c19-clopidogrel-poor-acs-pci',
          ruleVersion: '1.0.0',
          ruleSetVersion: '1.1.0',
          classification: 'Strong',
        });
        expect(card.selectionBehavior).toBe('at-most-one');
        const [first] = card.suggestions ?? [];
        expect(first?.uuid).toMatch(/^[0-9a-f-]{36}$/);
        expect(first?.actions.map((a) => a.type)).toEqual(['delete', 'create']);
        expect(first?.actions[0]).toMatchObject({ resourceId: 'MedicationRequest/mr-1' });
        expect(first?.actions[1]?.resource).toMatchObject({
          resourceType: 'MedicationRequest',
          status: 'draft',
          subject: { reference: 'Patient/p-1' },
        });
        expect(card.overrideReasons?.map((r) => r.code)).toEqual([
          'already-tolerating',
          'result-questioned',
          'no-alternative',
          'clinical-judgement',
        ]);
      });

      test('order-select evaluates only the selected orders; order-sign all of them', async () => {
        const orders = [
          medicationRequest('mr-a', 'p-2', clopidogrelConcept),
          medicationRequest('mr-b', 'p-2', {
            medicationCodeableConcept: {
              coding: [{ system: ATC, code: 'C10AA01' }],
              text: 'Simvastatin 40 mg',
            },
          }),
        ];
        const prefetch = fullPrefetch('p-2', [CYP2C19_POOR('p-2')]);
        const select = {
          hook: 'order-select',
          hookInstance: hookInstance(),
          context: {
            userId: 'PractitionerRole/123',
            patientId: 'p-2',
            selections: ['MedicationRequest/mr-b'],
            draftOrders: draftOrders(...orders),
          },
          prefetch,
        };
        const selected = cardsOf((await door.send({ method: 'POST', path: SELECT, body: select })).json);
        expect(selected.map((c) => orderOf(c))).toEqual(['mr-b']);
        const signed = cardsOf(
          (await door.send({ method: 'POST', path: SIGN, body: orderSign('p-2', orders, prefetch) })).json,
        );
        expect(new Set(signed.map((c) => orderOf(c)))).toEqual(new Set(['mr-a', 'mr-b']));
        expect(signed[0]?.indicator).toBe('critical');
      });

      test('the indication is read from the Conditions: after a stroke, the neurovascular advice (no prasugrel)', async () => {
        const stroke = {
          resourceType: 'Condition',
          id: 'p-st-stroke',
          clinicalStatus: {
            coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }],
          },
          verificationStatus: {
            coding: [
              { system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' },
            ],
          },
          code: {
            coding: [
              { system: 'http://hl7.org/fhir/sid/icd-10', code: 'I63.9', display: 'Cerebral infarction' },
            ],
          },
          subject: { reference: 'Patient/p-st' },
        };
        const prefetch = { ...fullPrefetch('p-st', [CYP2C19_POOR('p-st')]), conditions: searchset([stroke]) };
        const request = orderSign('p-st', [medicationRequest('mr-st', 'p-st', clopidogrelConcept)], prefetch);
        const [card] = cardsOf((await door.send({ method: 'POST', path: SIGN, body: request })).json);
        expect(card?.source.topic?.code).toBe('cyp2c19-clopidogrel-poor-neurovascular');
        expect(JSON.stringify(card?.suggestions ?? [])).not.toContain('prasugrel');
      });

      test('no genomic data is "not tested", never silence and never normal', async () => {
        const request = orderSign(
          'p-3',
          [medicationRequest('mr-3', 'p-3', clopidogrelConcept)],
          fullPrefetch('p-3', []),
        );
        const [card, ...rest] = cardsOf(
          (await door.send({ method: 'POST', path: SIGN, body: request })).json,
        );
        expect(rest).toEqual([]);
        expect(card).toMatchObject({ indicator: 'info' });
        expect(card?.summary).toContain('not tested');
      });

      test('an unreadable genotype is shown as indeterminate (info), not as a normal result', async () => {
        const odd = genotype('p-4-cyp2c19', 'p-4', 'CYP2C19', 'HGNC:2621', 'CYP2C19 *2/*999');
        const request = orderSign(
          'p-4',
          [medicationRequest('mr-4', 'p-4', clopidogrelConcept)],
          fullPrefetch('p-4', [odd]),
        );
        const [card] = cardsOf((await door.send({ method: 'POST', path: SIGN, body: request })).json);
        expect(card).toMatchObject({ indicator: 'info' });
        expect(card?.summary).toMatch(/cannot be interpreted/);
        expect(card?.detail).toContain('not a normal result');
      });

      test('patient-view summarises actionable findings and the drugs they affect', async () => {
        const request = {
          hook: 'patient-view',
          hookInstance: hookInstance(),
          context: { userId: 'Practitioner/example', patientId: 'p-5', encounterId: '89284' },
          prefetch: fullPrefetch(
            'p-5',
            [CYP2C19_POOR('p-5')],
            [medicationRequest('mr-5', 'p-5', clopidogrelConcept, 'active')],
          ),
        };
        const cards = cardsOf((await door.send({ method: 'POST', path: VIEW, body: request })).json);
        expect(cards[0]).toMatchObject({ indicator: 'critical' });
        const profile = cards.find((c) => c.summary.startsWith('CYP2C19 Poor Metabolizer: affects'));
        expect(profile?.summary).toMatch(/clopidogrel/);
        expect(profile?.indicator).toBe('info');
      });

      test('a medicationReference to a contained or bundled Medication is followed', async () => {
        const contained = medicationRequest('mr-6', 'p-6', { medicationReference: { reference: '#med' } });
        (contained as Record<string, unknown>).contained = [
          { resourceType: 'Medication', id: 'med', code: clopidogrelConcept.medicationCodeableConcept },
        ];
        const bundled = medicationRequest('mr-7', 'p-6', {
          medicationReference: { reference: 'Medication/m7' },
        });
        const medication = {
          resourceType: 'Medication',
          id: 'm7',
          code: clopidogrelConcept.medicationCodeableConcept,
        };
        const request = orderSign(
          'p-6',
          [contained, bundled, medication],
          fullPrefetch('p-6', [CYP2C19_POOR('p-6')]),
        );
        const cards = cardsOf((await door.send({ method: 'POST', path: SIGN, body: request })).json);
        expect(cards.map((c) => orderOf(c)).sort()).toEqual(['mr-6', 'mr-7']);
      });
    });

    describe('prefetch', () => {
      const order = (patientId: string, extra: Record<string, unknown> = {}) => ({
        ...orderSign(patientId, [medicationRequest('mr-p', patientId, clopidogrelConcept)], null),
        ...extra,
      });

      test('present: used as given, nothing fetched', async () => {
        const before = fhir.requests.length;
        const request = order('fetched-1', {
          ...auth(fhir.url),
          prefetch: fullPrefetch('fetched-1', [CYP2C19_POOR('fetched-1')]),
        });
        const [card] = cardsOf((await door.send({ method: 'POST', path: SIGN, body: request })).json);
        expect(card?.indicator).toBe('critical');
        expect(fhir.requests.length).toBe(before);
      });

      test('null: the EHR has no data, and it is not re-queried', async () => {
        const before = fhir.requests.length;
        const prefetch = {
          patient: patient('fetched-1'),
          genomicObservations: null,
          genomicReports: null,
          conditions: null,
          activeMedications: null,
        };
        const request = order('fetched-1', { ...auth(fhir.url), prefetch });
        const [card] = cardsOf((await door.send({ method: 'POST', path: SIGN, body: request })).json);
        expect(card?.summary).toContain('not tested');
        expect(fhir.requests.length).toBe(before);
      });

      test('absent: fetched from fhirServer with the bearer token, following next links', async () => {
        const before = fhir.requests.length;
        const request = order('fetched-1', auth(fhir.url));
        const reply = await door.send({ method: 'POST', path: SIGN, body: request });
        expect(reply.status).toBe(200);
        expect(cardsOf(reply.json)[0]?.indicator).toBe('critical');
        const made = fhir.requests.slice(before);
        expect(made.length).toBeGreaterThanOrEqual(5);
        expect(made.every((r) => r.authorization === `Bearer ${TOKEN}`)).toBe(true);
        expect(made.some((r) => r.url.includes('_offset'))).toBe(true);
      });

      test('a prefetched Bundle with a next link gets its further pages', async () => {
        const first = searchset(
          [CYP2C19_POOR('fetched-1')],
          `${fhir.url}/Observation?patient=fetched-1&_offset=1&_count=2`,
        );
        const prefetch = { ...fullPrefetch('fetched-1', []), genomicObservations: first };
        const reply = await door.send({
          method: 'POST',
          path: SIGN,
          body: order('fetched-1', { ...auth(fhir.url), prefetch }),
        });
        expect(reply.status).toBe(200);
        expect(cardsOf(reply.json)[0]?.indicator).toBe('critical');
      });

      test('absent with a wrong token: the check could not be completed, and the card says so', async () => {
        const request = order('fetched-1', {
          ...auth(fhir.url),
          fhirAuthorization: { ...auth(fhir.url).fhirAuthorization, access_token: 'wrong' },
        });
        const [card, ...rest] = cardsOf(
          (await door.send({ method: 'POST', path: SIGN, body: request })).json,
        );
        expect(rest).toEqual([]);
        expect(card?.summary).toMatch(/could not be completed/);
      });

      test('absent and no fhirServer to fetch from: 412', async () => {
        const reply = await door.send({ method: 'POST', path: SIGN, body: order('fetched-1') });
        expect(reply.status).toBe(412);
        expect(reply.json).toMatchObject({ resourceType: 'OperationOutcome' });
      });

      test('a medicationReference to a Medication on the FHIR server is read from it', async () => {
        const request = {
          ...orderSign(
            'fetched-1',
            [
              medicationRequest('mr-r', 'fetched-1', {
                medicationReference: { reference: 'Medication/med-clopidogrel' },
              }),
            ],
            null,
          ),
          ...auth(fhir.url),
          prefetch: fullPrefetch('fetched-1', [CYP2C19_POOR('fetched-1')]),
        };
        const [card] = cardsOf((await door.send({ method: 'POST', path: SIGN, body: request })).json);
        expect(card?.indicator).toBe('critical');
      });
    });

    describe('errors', () => {
      test('malformed JSON → 400 OperationOutcome', async () => {
        const reply = await door.send({
          method: 'POST',
          path: SIGN,
          body: '{"hook": ',
          headers: { 'content-type': 'application/json' },
        });
        expect(reply.status).toBe(400);
        expect(reply.json).toMatchObject({
          resourceType: 'OperationOutcome',
          issue: [{ severity: 'error', diagnostics: 'the body is not valid JSON' }],
        });
      });
      test('a missing member → 400 naming it', async () => {
        const request = orderSign('p-e', [], {});
        delete (request as Record<string, unknown>).hookInstance;
        const reply = await door.send({ method: 'POST', path: SIGN, body: request });
        expect(reply.status).toBe(400);
        expect(JSON.stringify(reply.json)).toContain('hookInstance is required');
      });
      test('the wrong hook for the service → 400', async () => {
        const reply = await door.send({ method: 'POST', path: VIEW, body: orderSign('p-e', [], {}) });
        expect(reply.status).toBe(400);
        expect(JSON.stringify(reply.json)).toContain('patient-view');
      });
      test('a fhirServer that is not an http(s) URL → 400 naming it', async () => {
        for (const fhirServer of ['ftp://ehr.example.org/fhir', 'https://ehr example.org/fhir', 'https://']) {
          const request = { ...orderSign('p-e', [], {}), fhirServer };
          const reply = await door.send({ method: 'POST', path: SIGN, body: request });
          expect(reply.status, fhirServer).toBe(400);
          expect(JSON.stringify(reply.json), fhirServer).toContain('fhirServer');
        }
      });
      test('order-select without selections → 400', async () => {
        const request = { ...orderSign('p-e', [], {}), hook: 'order-select' };
        expect((await door.send({ method: 'POST', path: SELECT, body: request })).status).toBe(400);
      });
      test('an unknown service → 404', async () => {
        expect(
          (await door.send({ method: 'POST', path: '/cds-services/nope', body: orderSign('p-e', [], {}) }))
            .status,
        ).toBe(404);
        expect((await door.send({ method: 'GET', path: '/elsewhere' })).status).toBe(404);
      });
      test('the wrong method → 405 with Allow (behind API Gateway: no route, so the gateway answers 404)', async () => {
        const reply = await door.send({ method: 'GET', path: SIGN });
        const deleted = await door.send({ method: 'DELETE', path: '/cds-services' });
        if (door.apiGateway) {
          // In AWS only the routes in infra/stacks reach a function: the 405s are the local server's.
          for (const unrouted of [reply, deleted]) {
            expect(unrouted.status).toBe(404);
            expect(unrouted.json).toEqual({ message: 'Not Found' });
          }
          return;
        }
        expect(reply.status).toBe(405);
        expect(reply.headers.allow).toContain('POST');
        expect(deleted.status).toBe(405);
      });
      test('a body over 5 MB → 413', async () => {
        const huge = { ...orderSign('p-e', [], {}), padding: 'x'.repeat(5 * 1024 * 1024 + 10) };
        const reply = await door.send({ method: 'POST', path: SIGN, body: huge });
        expect(reply.status).toBe(413);
      });
      test('CORS preflight allows the headers browsers need', async () => {
        const reply = await door.send({
          method: 'OPTIONS',
          path: SIGN,
          headers: {
            origin: 'https://ehr.example',
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization,content-type',
          },
        });
        expect(reply.status).toBeLessThan(300);
        expect(reply.headers['access-control-allow-headers']?.toLowerCase()).toContain('authorization');
      });
    });

    describe('feedback', () => {
      const FEEDBACK = '/cds-services/tailor-order-sign/feedback';
      test('missing card, outcome or outcomeTimestamp, or accepted without suggestions → 400', async () => {
        const good = { card: 'c-1', outcome: 'overridden', outcomeTimestamp: '2026-11-27T10:00:00Z' };
        for (const missing of ['card', 'outcome', 'outcomeTimestamp']) {
          const item: Record<string, unknown> = { ...good };
          delete item[missing];
          const reply = await door.send({ method: 'POST', path: FEEDBACK, body: { feedback: [item] } });
          expect(reply.status, missing).toBe(400);
          expect(JSON.stringify(reply.json)).toContain(missing);
        }
        const accepted = await door.send({
          method: 'POST',
          path: FEEDBACK,
          body: { feedback: [{ ...good, outcome: 'accepted' }] },
        });
        expect(accepted.status).toBe(400);
        expect(JSON.stringify(accepted.json)).toContain('acceptedSuggestions');
      });
      test('feedback on a real card is stored once; a repeat is recognised', async () => {
        const request = orderSign(
          'p-f',
          [medicationRequest('mr-f', 'p-f', clopidogrelConcept)],
          fullPrefetch('p-f', [CYP2C19_POOR('p-f')]),
        );
        const [card] = cardsOf((await door.send({ method: 'POST', path: SIGN, body: request })).json);
        const feedback = {
          feedback: [
            {
              card: card!.uuid,
              outcome: 'overridden',
              overrideReason: { reason: card!.overrideReasons![0], userComment: 'on it for years' },
              outcomeTimestamp: '2026-11-27T10:00:00Z',
            },
          ],
        };
        const first = await door.send({ method: 'POST', path: FEEDBACK, body: feedback });
        expect(first.status).toBe(200);
        expect(first.json).toEqual({ stored: 1, duplicates: 0 });
        const again = await door.send({ method: 'POST', path: FEEDBACK, body: feedback });
        expect(again.json).toEqual({ stored: 0, duplicates: 1 });
      });

      describe('a card dismissed at order-select is not shown again at order-sign for the same order', () => {
        const ruleOf = (card: Card) =>
          (card.extension?.['org.tailor-cds.provenance'] as { ruleId?: string } | undefined)?.ruleId;
        const orders = (patientId: string, orderId = 'mr-ack') => [
          medicationRequest(orderId, patientId, clopidogrelConcept),
        ];
        const select = async (patientId: string): Promise<Card> => {
          const reply = await door.send({
            method: 'POST',
            path: SELECT,
            body: orderSelect(
              patientId,
              orders(patientId),
              ['mr-ack'],
              fullPrefetch(patientId, [CYP2C19_POOR(patientId)]),
            ),
          });
          expect(reply.status).toBe(200);
          const [card, ...rest] = cardsOf(reply.json);
          expect(rest).toEqual([]);
          expect(orderOf(card!)).toBe('mr-ack');
          return card!;
        };
        const sign = async (patientId: string, orderId?: string): Promise<(string | undefined)[]> => {
          const reply = await door.send({
            method: 'POST',
            path: SIGN,
            body: orderSign(
              patientId,
              orders(patientId, orderId),
              fullPrefetch(patientId, [CYP2C19_POOR(patientId)]),
            ),
          });
          expect(reply.status).toBe(200);
          return cardsOf(reply.json).map(ruleOf);
        };

        test('without feedback the card is shown again at order-sign', async () => {
          const card = await select('p-ack-1');
          expect(await sign('p-ack-1')).toEqual([ruleOf(card)]);
        });

        test('after feedback overridden it is left out for that order, and shown for another', async () => {
          const card = await select('p-ack-2');
          const feedback = {
            feedback: [
              {
                card: card.uuid,
                outcome: 'overridden',
                overrideReason: { reason: card.overrideReasons![0] },
                outcomeTimestamp: new Date().toISOString(),
              },
            ],
          };
          // The order-select answer does not wait for its audit write: feedback may arrive before the card is
          // known, as a fast EHR's could; a repeat is idempotent.
          let signed: (string | undefined)[] = [];
          for (let attempt = 0; attempt < 20; attempt++) {
            const reply = await door.send({ method: 'POST', path: `${SELECT}/feedback`, body: feedback });
            expect(reply.status).toBe(200);
            signed = await sign('p-ack-2');
            if (signed.length === 0) break;
            await new Promise((resolve) => setTimeout(resolve, 100));
          }
          expect(signed).toEqual([]);
          expect(await sign('p-ack-2', 'mr-other')).toEqual([ruleOf(card)]);
        });
      });
    });

    test('fuzz: mutated and malformed requests never give a 5xx or a stack trace', async () => {
      const valid = orderSign(
        'p-z',
        [medicationRequest('mr-z', 'p-z', clopidogrelConcept)],
        fullPrefetch('p-z', [CYP2C19_POOR('p-z')]),
      );
      const mutation = fc.oneof(
        fc.anything(),
        fc
          .record({
            key: fc.constantFrom(
              'hook',
              'hookInstance',
              'context',
              'prefetch',
              'fhirServer',
              'fhirAuthorization',
              'extension',
            ),
            value: fc.anything(),
          })
          .map(({ key, value }) => ({ ...valid, [key]: value })),
        fc
          .record({
            key: fc.constantFrom('patientId', 'userId', 'draftOrders', 'selections'),
            value: fc.anything(),
          })
          .map(({ key, value }) => ({
            ...valid,
            context: { ...(valid.context as object), [key]: value },
          })),
        fc
          .record({
            key: fc.constantFrom(
              'patient',
              'genomicObservations',
              'genomicReports',
              'conditions',
              'activeMedications',
            ),
            value: fc.anything(),
          })
          .map(({ key, value }) => ({ ...valid, prefetch: { ...(valid.prefetch as object), [key]: value } })),
        fc.string().map((s) => `{"hook":${s}`),
      );
      await fc.assert(
        fc.asyncProperty(
          mutation,
          fc.constantFrom(SIGN, SELECT, VIEW, `${SIGN}/feedback`),
          async (body, path) => {
            const reply = await door.send({
              method: 'POST',
              path,
              body: typeof body === 'string' ? body : JSON.stringify(body ?? null),
            });
            expect(reply.status).toBeLessThan(500);
            expect(reply.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
            expect(reply.text).not.toMatch(/TypeError|ReferenceError|RangeError/);
          },
        ),
        { numRuns: 120 },
      );
    });
  });
}

/** The store dies while the service runs: once the active version can no longer be confirmed, cards say the check failed. */
export function describeStoreFailure(
  name: string,
  open: (env: Record<string, string>) => Promise<Door>,
): void {
  test(`${name}: the store is killed mid-run → "check could not be completed" card (with trusted clients: 401)`, async () => {
    const door = await open({ TAILOR_RULESET_REFRESH_SECONDS: '1', TAILOR_RULESET_MAX_STALE_SECONDS: '1' });
    try {
      const request = () =>
        orderSign(
          'p-k',
          [medicationRequest('mr-k', 'p-k', clopidogrelConcept)],
          fullPrefetch('p-k', [CYP2C19_POOR('p-k')]),
        );
      const before = await door.send({ method: 'POST', path: SIGN, body: request() });
      expect(cardsOf(before.json)[0]?.indicator).toBe('critical');
      await door.stopStore();
      await new Promise((resolve) => setTimeout(resolve, 1500));
      const replies = [await door.send({ method: 'POST', path: SIGN, body: request() })];
      await new Promise((resolve) => setTimeout(resolve, 1200));
      replies.push(await door.send({ method: 'POST', path: SIGN, body: request() }));
      const last = replies.at(-1)!;
      if (door.authenticating) {
        // The client JWT's jti is claimed in the same store: with it gone the call is refused before any rule
        // is read (the replay check fails closed), and the refusal says nothing.
        expect(replies.map((reply) => reply.status)).toEqual([401, 401]);
        expect(last.json).toMatchObject({ issue: [{ code: 'login', diagnostics: 'unauthorized' }] });
        return;
      }
      expect(last.status).toBe(200);
      const [card, ...rest] = cardsOf(last.json);
      expect(rest).toEqual([]);
      expect(card?.summary).toMatch(/could not be completed/);
    } finally {
      await door.close();
    }
  }, 30_000);
}
