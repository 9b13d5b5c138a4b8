import { Window } from 'happy-dom';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { MESSAGES, runApp } from '../../smart-app/src/app';
import { FhirGatewayError } from '../../smart-app/src/fhir-gateway';
import { type TailorService, TailorServiceError } from '../../smart-app/src/tailor-service';
import { exampleRecords, fakeGateway, gene, realService } from './fixtures';

// The whole UI over a fake gateway and the real assessment function (bundled rules), in a happy-dom window.
// Only `document` is installed globally: the rules loader needs Node's own URL, which a DOM environment replaces.

const window = new Window({ url: 'https://tailor.example.org/app/index.html' });
const globals = globalThis as { document?: unknown };
const previous = globals.document;
globals.document = window.document;
afterAll(async () => {
  globals.document = previous;
  await window.happyDOM.close();
});

let root: HTMLElement;
beforeEach(() => {
  document.body.innerHTML = '<div id="app"></div>';
  root = document.getElementById('app') as HTMLElement;
});

const text = () => root.textContent ?? '';

describe('the app', () => {
  it('shows the patient, the genomic profile and the clopidogrel alert with its provenance', async () => {
    const records = await exampleRecords('cyp2c19-poor-metabolizer-clopidogrel');
    const { service, requests } = realService();
    const marks: string[] = [];
    await runApp(root, {
      gateway: fakeGateway(records),
      service,
      session: { needPatientBanner: true },
      mark: (name) => marks.push(name),
    });
    expect(marks).toEqual(['tailor:patient', 'tailor:rendered']);
    expect(root.querySelector('.patient-banner')?.textContent).toContain('Alma Testperson (fictional)');
    expect(root.querySelector('.patient-banner')?.textContent).toContain('1958-04-12');

    const row = root.querySelector('tr[data-gene="CYP2C19"]');
    expect(row?.textContent).toContain('*2/*2');
    expect(row?.textContent).toContain('Poor Metabolizer');
    expect(row?.textContent).toContain('Fictional Genomics Laboratory');
    expect(row?.textContent).toContain('2026-03-02');

    const alert = root.querySelector('article[data-rule-id="cyp2c19-clopidogrel-poor-acs-pci"]');
    expect(alert).not.toBeNull();
    expect(alert?.classList.contains('critical')).toBe(true);
    expect(alert?.textContent).toMatch(/Action: (Avoid|Use an alternative)/);
    expect(alert?.textContent).toContain('Strength: Strong');
    const provenance = alert?.querySelector('.provenance')?.textContent ?? '';
    expect(provenance).toMatch(
      /Rule cyp2c19-clopidogrel-poor-acs-pci.*rule version \d+\.\d+\.\d+.*rule set \d+\.\d+\.\d+/,
    );
    const evidence = alert?.querySelector<HTMLAnchorElement>('.evidence a');
    expect(evidence?.getAttribute('href')).toMatch(/^https:\/\//);
    expect(evidence?.getAttribute('rel')).toBe('noopener noreferrer');
    expect(requests).toHaveLength(1);
    expect(requests[0]?.drugs).toBeUndefined();
    expect(requests[0]?.resources.map((r) => (r as { resourceType: string }).resourceType)).toContain(
      'Patient',
    );
    expect(text()).not.toContain('Not tested');
    const affected = root.querySelector('#affected');
    expect(
      affected?.querySelector('article[data-rule-id="cyp2c19-clopidogrel-poor-acs-pci"]'),
    ).not.toBeNull();
  });

  it('leaves the banner to the EHR when it says so', async () => {
    const records = await exampleRecords('cyp2c19-poor-metabolizer-clopidogrel');
    await runApp(root, {
      gateway: fakeGateway(records),
      service: realService().service,
      session: { needPatientBanner: false },
    });
    expect(root.querySelector('.patient-banner')).toBeNull();
    expect(root.querySelector('#patient-name')?.textContent).toContain('Alma Testperson');
  });

  it('opened from a card, it looks the card’s drug up and highlights that recommendation, focused', async () => {
    const records = await exampleRecords('cyp2c19-poor-metabolizer-clopidogrel');
    const { service, requests } = realService();
    await runApp(root, {
      gateway: fakeGateway({ ...records, medications: [] }),
      service,
      session: {
        needPatientBanner: true,
        cardContext: {
          ruleId: 'cyp2c19-clopidogrel-poor-acs-pci',
          drug: 'clopidogrel',
          orderId: 'draft-1',
          ruleSetVersion: '0.0.1',
        },
      },
    });
    expect(requests[0]?.drugs).toEqual(['clopidogrel']);
    const section = root.querySelector('#from-card');
    expect(section?.querySelector('article.highlighted')?.getAttribute('data-rule-id')).toBe(
      'cyp2c19-clopidogrel-poor-acs-pci',
    );
    expect(document.activeElement).toBe(section);
    expect(section?.textContent).toContain('rule set 0.0.1');
    expect(text()).toContain('No active medication orders were found');
  });

  it('says so when the card’s recommendation no longer applies', async () => {
    const records = await exampleRecords('cyp2c19-poor-metabolizer-clopidogrel');
    await runApp(root, {
      gateway: fakeGateway(records),
      service: realService().service,
      session: { needPatientBanner: true, cardContext: { ruleId: 'some-retired-rule', drug: 'clopidogrel' } },
    });
    expect(root.querySelector('#from-card')?.textContent).toContain('does not apply');
  });

  it('tells a patient without genomic results apart: not tested, never normal', async () => {
    const records = await exampleRecords('no-genomic-data');
    await runApp(root, {
      gateway: fakeGateway(records),
      service: realService().service,
      session: { needPatientBanner: true },
    });
    const panel = root.querySelector('.not-tested');
    expect(panel?.textContent).toContain('not tested');
    expect(panel?.textContent).toContain('does not mean normal');
    expect(text()).not.toMatch(/normal metabolizer/i);
    expect(text()).toContain('No gene results on file: not tested.');
    expect(root.querySelector('#affected')).toBeNull();
  });

  it('marks conflicting and indeterminate results', async () => {
    const records = await exampleRecords('cyp2c19-poor-metabolizer-clopidogrel');
    const { service } = realService({
      transform: (answer) => ({
        ...answer,
        findings: {
          ...answer.findings,
          genes: [
            gene({
              gene: 'CYP2D6',
              status: 'conflict',
              lookupKey: 'Indeterminate',
              notes: ['Two labs disagree.'],
            }),
            gene({
              gene: 'HLA-B',
              status: 'indeterminate',
              lookupKey: 'Indeterminate',
              alleleStatuses: { '*57:01': 'indeterminate' },
            }),
          ],
        },
      }),
    });
    await runApp(root, { gateway: fakeGateway(records), service, session: { needPatientBanner: true } });
    const cyp2d6 = root.querySelector('tr[data-gene="CYP2D6"]');
    expect(cyp2d6?.className).toBe('flag-conflict');
    expect(cyp2d6?.textContent).toContain('Conflicting results');
    expect(cyp2d6?.textContent).toContain('Two labs disagree.');
    const hla = root.querySelector('tr[data-gene="HLA-B"]');
    expect(hla?.className).toBe('flag-indeterminate');
    expect(hla?.textContent).toContain('HLA-B*57:01 carrier status indeterminate');
  });

  it('answers the drug look-up beside the current medications', async () => {
    const records = await exampleRecords('cyp2c19-poor-metabolizer-clopidogrel');
    const { service, requests } = realService();
    await runApp(root, { gateway: fakeGateway(records), service, session: { needPatientBanner: true } });
    const input = root.querySelector<HTMLInputElement>('#lookup-drug');
    const form = root.querySelector<HTMLFormElement>('form.lookup');
    expect(root.querySelector('label[for="lookup-drug"]')).not.toBeNull();
    if (!input || !form) throw new Error('no look-up form');
    input.value = 'abacavir';
    form.dispatchEvent(new window.Event('submit', { cancelable: true }) as unknown as Event);
    await vi.waitFor(() =>
      expect(root.querySelector('#lookup-results h3')?.textContent).toBe('Result for abacavir'),
    );
    expect(requests.at(-1)?.drugs).toEqual(['abacavir']);
    expect(root.querySelector('#lookup-results article')?.getAttribute('data-action')).toBe('not-tested');
    input.value = 'nothing-like-a-drug';
    form.dispatchEvent(new window.Event('submit', { cancelable: true }) as unknown as Event);
    await vi.waitFor(() =>
      expect(root.querySelector('#lookup-results')?.textContent).toContain('was not recognised'),
    );
  });

  it('renders record text as text, never as HTML', async () => {
    const records = await exampleRecords('cyp2c19-poor-metabolizer-clopidogrel');
    const patient = { ...records.patient, name: [{ text: '<img src=x onerror="window.pwned=1">' }] };
    await runApp(root, {
      gateway: fakeGateway({ ...records, patient }),
      service: realService().service,
      session: { needPatientBanner: true },
    });
    expect(root.querySelector('img')).toBeNull();
    expect(root.querySelector('.patient-name')?.textContent).toBe('<img src=x onerror="window.pwned=1">');
  });
});

describe('the app’s failure messages', () => {
  const records = () => exampleRecords('cyp2c19-poor-metabolizer-clopidogrel');
  const failingService = (error: Error): TailorService => ({
    assess: async () => {
      throw error;
    },
    drugs: async () => {
      throw error;
    },
  });

  it.each([
    [
      'an expired EHR session',
      new FhirGatewayError('session-expired', 'x', 401),
      MESSAGES.sessionExpired.title,
    ],
    [
      'a FHIR server error',
      new FhirGatewayError('unavailable', "The EHR's FHIR server answered 500.", 500),
      MESSAGES.fhirError.title,
    ],
    ['a refused scope', new FhirGatewayError('forbidden', 'x', 403), MESSAGES.forbidden.title],
  ])('shows %s', async (_name, error, title) => {
    const gateway = { ...fakeGateway(await records()), genomicResults: async () => Promise.reject(error) };
    const marks: string[] = [];
    await runApp(root, {
      gateway,
      service: realService().service,
      session: { needPatientBanner: true },
      mark: (m) => marks.push(m),
    });
    const alert = root.querySelector('[role="alert"]');
    expect(alert?.querySelector('h2')?.textContent).toBe(title);
    expect(marks).toContain('tailor:rendered');
    expect(text()).not.toContain('Current medications');
  });

  it.each([
    ['an expired id_token', new TailorServiceError('session-expired', 'x', 401), MESSAGES.sessionExpired],
    [
      'a service error',
      new TailorServiceError('unavailable', "Tailor's service answered 500.", 500),
      MESSAGES.serviceError,
    ],
  ])('shows %s from the service', async (_name, error, message) => {
    await runApp(root, {
      gateway: fakeGateway(await records()),
      service: failingService(error),
      session: { needPatientBanner: true },
    });
    expect(root.querySelector('[role="alert"] h2')?.textContent).toBe(message.title);
    // The patient is still shown, so the clinician knows whose check failed, and that it failed.
    expect(root.querySelector('.patient-banner')?.textContent).toContain('Alma Testperson');
    expect(text()).toContain(message.text);
    expect(text()).toMatch(/not checked|does not mean there are no genomic concerns/);
  });
});
