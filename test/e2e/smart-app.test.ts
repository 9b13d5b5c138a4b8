import { readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Frame, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readServiceConfig } from '../../functions/adapters/config';
import { type DevEhr, startDevEhr } from '../../functions/dev-ehr';
import { type LocalServer, startLocalServer } from '../../functions/server/local-server';
import { type BuildResult, buildSmartApp } from '../../smart-app/build';
import { launchChromium } from '../support/browser';
import { quietLog, quietMetrics } from '../support/doors';

// The SMART app end to end in headless Chromium: Tailor's local server (the app under /app/, its API, the CDS
// services trusting only the EHR's published JWKS) and the development EHR (SMART authorization server, FHIR,
// patient list, order screen), both on 127.0.0.1. Screenshots go to test-results/screenshots/; with
// TAILOR_UPDATE_DOC_SCREENSHOTS=1 the app and card pictures are also copied to docs/screenshots/.

const CLIENT_ID = 'tailor-smart-app';
const SHOTS = 'test-results/screenshots';
const CLOPIDOGREL_RULE = 'cyp2c19-clopidogrel-poor-acs-pci';

let browser: Browser | undefined;
let browserReady: Promise<Browser>;
let ehr: DevEhr;
let tailor: LocalServer;
let dir: string;
let bundle: BuildResult;
let axeSource: string;
/** Milliseconds from the token's arrival to the rendered recommendations, one per successful launch. */
const firstRenders: {
  launch: string;
  tokenToRender: number;
  /** Of which: reading the EHR's FHIR server, then Tailor's assessment and the DOM. */
  fhirMs: number;
  serviceAndRenderMs: number;
  navigationToRender: number;
}[] = [];

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

beforeAll(async () => {
  // Without Chromium every test fails with the install instructions (never a silent skip).
  browserReady = launchChromium();
  browserReady.catch(() => {});
  axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
  dir = await mkdtemp(join(tmpdir(), 'tailor-e2e-'));
  bundle = await buildSmartApp({ outDir: join(dir, 'app') });
  await mkdir(SHOTS, { recursive: true });

  // Each side needs the other's URL: fix both ports first.
  const [tailorPort, ehrPort] = [await freePort(), await freePort()];
  const tailorUrl = `http://127.0.0.1:${tailorPort}`;
  const ehrUrl = `http://127.0.0.1:${ehrPort}`;
  const clients = join(dir, 'cds-clients.json');
  await writeFile(
    clients,
    JSON.stringify({ clients: [{ iss: ehrUrl, jwks_uri: `${ehrUrl}/cds-client/jwks.json` }] }),
  );
  tailor = await startLocalServer({
    config: readServiceConfig({
      HOST: '127.0.0.1',
      PORT: String(tailorPort),
      TAILOR_CDS_CLIENTS: clients,
      TAILOR_SMART_LAUNCH_URL: `${tailorUrl}/app/launch.html`,
      TAILOR_SMART_ISSUERS: `${ehrUrl}/auth`,
      TAILOR_SMART_CLIENT_ID: CLIENT_ID,
      TAILOR_SMART_APP_DIR: join(dir, 'app'),
    }),
    inMemory: true,
    log: quietLog,
    metrics: quietMetrics,
  });
  ehr = await startDevEhr({
    port: ehrPort,
    cdsServiceUrl: tailor.url,
    smartApp: {
      clientId: CLIENT_ID,
      launchUrl: `${tailorUrl}/app/launch.html`,
      redirectUris: [`${tailorUrl}/app/index.html`],
    },
  });
  expect(ehr.issuer).toBe(`${ehrUrl}/auth`);
});

afterAll(async () => {
  await browserReady?.then((b) => b.close()).catch(() => {});
  await ehr?.close();
  await tailor?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  if (firstRenders.length > 0 && bundle) {
    const sorted = firstRenders.map((r) => r.tokenToRender).sort((a, b) => a - b);
    const summary = {
      firstRenderAfterTokenMs: {
        median: sorted[Math.floor(sorted.length / 2)],
        max: sorted.at(-1),
        launches: firstRenders,
      },
      bundle: {
        appPageBytes: bundle.appBytes,
        appPageGzipBytes: bundle.appGzipBytes,
        files: bundle.files,
      },
    };
    await writeFile('test-results/smart-app-metrics.json', `${JSON.stringify(summary, null, 2)}\n`);
    process.stdout.write(
      `\nSMART app: first render after the token ${summary.firstRenderAfterTokenMs.median} ms median ` +
        `(max ${summary.firstRenderAfterTokenMs.max} ms, ${sorted.length} launches); app page bundle ` +
        `${(bundle.appBytes / 1024).toFixed(1)} kB raw, ${(bundle.appGzipBytes / 1024).toFixed(1)} kB gzip\n`,
    );
  }
});

async function newPage(): Promise<{ context: BrowserContext; page: Page }> {
  browser ??= await browserReady;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  return { context, page: await context.newPage() };
}

/** The app's frame in the EHR page, once it has come back from the authorization server. */
async function appFrame(page: Page): Promise<Frame> {
  await page.waitForSelector('#app-frame');
  const frame = page.frame({ name: 'app-frame' });
  if (!frame) throw new Error('no app frame');
  return frame;
}

/** Waits for the app's final render (recommendations or a message) and records the timing. */
async function rendered(frame: Frame, launch: string): Promise<void> {
  await frame.waitForURL(/\/app\/index\.html/, { timeout: 15_000 });
  await frame.waitForSelector('.app-footer, [role="alert"]', { timeout: 15_000 });
  const timing = await frame.evaluate(() => {
    const at = (name: string) => performance.getEntriesByName(name)[0]?.startTime;
    const token = at('tailor:token');
    const patient = at('tailor:patient');
    const done = at('tailor:rendered');
    return token !== undefined && patient !== undefined && done !== undefined
      ? { token, patient, done }
      : undefined;
  });
  const ms = (value: number) => Math.round(value * 10) / 10;
  if (timing)
    firstRenders.push({
      launch,
      tokenToRender: ms(timing.done - timing.token),
      fhirMs: ms(timing.patient - timing.token),
      serviceAndRenderMs: ms(timing.done - timing.patient),
      navigationToRender: Math.round(timing.done),
    });
}

/** axe-core's serious and critical violations in the frame's document. */
async function axeViolations(
  frame: Frame,
): Promise<{ id: string; impact: string; help: string; targets: string[] }[]> {
  // Evaluated through the DevTools protocol, so the app's strict CSP (script-src 'self') need not be relaxed.
  await frame.evaluate(axeSource);
  const violations = await frame.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (context: Document, options: object) => Promise<AxeResults> } }
    ).axe;
    interface AxeResults {
      violations: { id: string; impact: string | null; help: string; nodes: { target: unknown[] }[] }[];
    }
    const results = await axe.run(document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({
      id: v.id,
      impact: v.impact ?? 'unknown',
      help: v.help,
      targets: v.nodes.map((n) => JSON.stringify(n.target)),
    }));
  });
  return violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** The EHR page with its app frame grown to the app's full height, so the picture shows the whole app. */
async function screenshotWhole(page: Page, frame: Frame, path: string): Promise<void> {
  const height = await frame.evaluate(() => document.documentElement.scrollHeight);
  await page.evaluate((h) => {
    const iframe = document.getElementById('app-frame');
    if (iframe) iframe.style.height = `${h + 4}px`;
  }, height);
  await page.screenshot({ path, fullPage: true });
}

async function expandAllDetails(frame: Frame): Promise<void> {
  await frame.evaluate(() => {
    for (const details of document.querySelectorAll('details')) details.open = true;
  });
}

describe('the SMART app in Chromium', () => {
  it('EHR launch: shows the patient and the CYP2C19 poor metabolizer’s clopidogrel alert, accessibly', async () => {
    const { context, page } = await newPage();
    try {
      const fhirRequests: string[] = [];
      page.on('request', (r: Request) => {
        if (r.url().startsWith(ehr.fhirBaseUrl)) fhirRequests.push(r.url());
      });
      await page.goto(ehr.launchPageUrl('dev-cyp2c19', { needPatientBanner: true }));
      const frame = await appFrame(page);
      await rendered(frame, 'ehr-launch');
      await expect(frame.locator('.patient-banner').textContent()).resolves.toContain('Henrik Testperson');
      const gene = frame.locator('tr[data-gene="CYP2C19"]');
      await expect(gene.textContent()).resolves.toMatch(/\*2\/\*2.*Poor Metabolizer/);
      const alert = frame.locator(`#affected article[data-rule-id="${CLOPIDOGREL_RULE}"]`);
      await expect(alert.count()).resolves.toBe(1);
      await expect(alert.locator('.provenance').textContent()).resolves.toMatch(
        new RegExp(`Rule ${CLOPIDOGREL_RULE}.*rule version \\d+\\.\\d+\\.\\d+.*rule set \\d+\\.\\d+\\.\\d+`),
      );
      await expect(alert.getAttribute('class')).resolves.toContain('critical');
      // The current medications (aspirin, atorvastatin) are listed with what Tailor says of each.
      await expect(frame.locator('.medication').count()).resolves.toBe(2);
      // Tokens live in session storage only: nothing in local storage, no cookies on the app's origin.
      const storage = await frame.evaluate(() => ({
        local: localStorage.length,
        session: sessionStorage.length,
        cookies: document.cookie,
      }));
      expect(storage).toEqual({ local: 0, session: expect.any(Number), cookies: '' });
      expect(storage.session).toBeGreaterThan(0);
      expect(fhirRequests.some((u) => u.includes('/Observation?patient=dev-cyp2c19'))).toBe(true);

      await expandAllDetails(frame);
      expect(await axeViolations(frame)).toEqual([]);
      await screenshotWhole(page, frame, `${SHOTS}/ehr-launch-cyp2c19.png`);
    } finally {
      await context.close();
    }
  });

  it('is usable from the keyboard: the drug look-up is reached with Tab and answered', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(ehr.launchPageUrl('dev-hla-b5701'));
      const frame = await appFrame(page);
      await rendered(frame, 'ehr-launch-keyboard');
      // The EHR asked for no banner: the app leaves the patient banner to the EHR's frame.
      await expect(frame.locator('.patient-banner').count()).resolves.toBe(0);
      await frame.locator('main').focus();
      let reached = false;
      for (let i = 0; i < 80 && !reached; i += 1) {
        await page.keyboard.press('Tab');
        reached = await frame.evaluate(() => document.activeElement?.id === 'lookup-drug');
      }
      expect(reached).toBe(true);
      await page.keyboard.type('abacavir');
      await page.keyboard.press('Enter');
      const result = frame.locator('#lookup-results article[data-rule-id="hla-b-5701-abacavir-positive"]');
      await result.waitFor({ timeout: 10_000 });
      await expect(result.getAttribute('data-action')).resolves.toBe('avoid');
      expect(await axeViolations(frame)).toEqual([]);
      await screenshotWhole(page, frame, `${SHOTS}/app-lookup-abacavir.png`);
    } finally {
      await context.close();
    }
  });

  it('standalone launch: the clinician picks a patient at the EHR and the app opens with a banner', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(`${tailor.url}/app/launch.html?iss=${encodeURIComponent(ehr.fhirBaseUrl)}`);
      const authorize = page.waitForRequest((r) => r.url().startsWith(`${ehr.issuer}/authorize`));
      const request = await authorize;
      const params = new URL(request.url()).searchParams;
      expect(params.get('scope')?.split(' ')).toContain('launch/patient');
      expect(params.get('scope')?.split(' ')).not.toContain('launch');
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('aud')).toBe(ehr.fhirBaseUrl);
      await page.getByRole('button', { name: 'Select Henrik Testperson (fictional)' }).click();
      await page.waitForURL(/\/app\/index\.html/);
      await page.waitForSelector('.app-footer, [role="alert"]');
      await expect(page.locator('.patient-banner').textContent()).resolves.toContain('Henrik Testperson');
      await expect(
        page.locator(`#affected article[data-rule-id="${CLOPIDOGREL_RULE}"]`).count(),
      ).resolves.toBe(1);
      // The authorization code left the address bar once used.
      expect(new URL(page.url()).searchParams.has('code')).toBe(false);
      await page.screenshot({ path: `${SHOTS}/standalone.png`, fullPage: true });
    } finally {
      await context.close();
    }
  });

  it('the order screen’s card opens the app with that card’s recommendation highlighted', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(ehr.orderPageUrl('dev-cyp2c19'));
      await page.selectOption('#medication', 'clopidogrel');
      await page.getByRole('button', { name: 'Sign' }).click();
      const card = page.locator('#cds-result article.card--critical').first();
      await card.waitFor();
      await expect(card.textContent()).resolves.toMatch(/clopidogrel/i);
      await page.screenshot({ path: `${SHOTS}/order-screen-card.png`, fullPage: true });
      await card.screenshot({ path: `${SHOTS}/card.png` });

      await card.getByRole('button', { name: 'Open the genomic profile in Tailor' }).click();
      const frame = await appFrame(page);
      await rendered(frame, 'card-link');
      const highlighted = frame.locator('#from-card article.highlighted');
      await expect(highlighted.getAttribute('data-rule-id')).resolves.toBe(CLOPIDOGREL_RULE);
      await expect(frame.evaluate(() => document.activeElement?.id)).resolves.toBe('from-card');
      expect(await axeViolations(frame)).toEqual([]);
      await page.screenshot({ path: `${SHOTS}/app-from-card.png` });
      await screenshotWhole(page, frame, `${SHOTS}/app-from-card-whole.png`);
      if (process.env.TAILOR_UPDATE_DOC_SCREENSHOTS === '1') {
        await mkdir('docs/screenshots', { recursive: true });
        await copyFile(`${SHOTS}/app-from-card.png`, 'docs/screenshots/app.png');
        await copyFile(`${SHOTS}/card.png`, 'docs/screenshots/card.png');
      }
    } finally {
      await context.close();
    }
  });

  it('a patient without genomic results gets "not tested", never "normal"', async () => {
    const { context, page } = await newPage();
    try {
      await page.goto(ehr.launchPageUrl('dev-no-genomics', { needPatientBanner: true }));
      const frame = await appFrame(page);
      await rendered(frame, 'no-genomics');
      const panel = frame.locator('.not-tested');
      await expect(panel.textContent()).resolves.toContain('not tested');
      await expect(panel.textContent()).resolves.toContain('does not mean normal');
      await expect(frame.locator('main').textContent()).resolves.not.toMatch(/normal metabolizer/i);
      expect(await axeViolations(frame)).toEqual([]);
      await screenshotWhole(page, frame, `${SHOTS}/app-not-tested.png`);
    } finally {
      await context.close();
    }
  });
});

describe('the authorization server refuses a tampered launch', () => {
  it('a wrong PKCE verifier: no token, no FHIR read, and the app says it could not start', async () => {
    const { context, page } = await newPage();
    try {
      const tokenStatuses: number[] = [];
      const fhirReads: string[] = [];
      page.on('response', (r) => {
        if (r.url() === `${ehr.issuer}/token`) tokenStatuses.push(r.status());
      });
      page.on('request', (r) => {
        if (r.url().startsWith(ehr.fhirBaseUrl) && !r.url().includes('/.well-known/'))
          fhirReads.push(r.url());
      });
      // The app's token request, with its PKCE verifier replaced by another valid-looking one.
      await page.route(`${ehr.issuer}/token`, async (route) => {
        const form = new URLSearchParams(route.request().postData() ?? '');
        expect(form.get('code_verifier')).toMatch(/^[A-Za-z0-9._~-]{43,128}$/);
        form.set('code_verifier', 'x'.repeat(64));
        await route.continue({ postData: form.toString() });
      });
      await page.goto(ehr.launchPageUrl('dev-cyp2c19'));
      const frame = await appFrame(page);
      await rendered(frame, 'wrong-pkce');
      expect(tokenStatuses).toEqual([400]);
      expect(fhirReads).toEqual([]);
      await expect(frame.locator('[role="alert"]').textContent()).resolves.toContain(
        'Tailor could not start',
      );
      await page.screenshot({ path: `${SHOTS}/app-wrong-pkce.png` });
    } finally {
      await context.close();
    }
  });

  it('a wrong aud: the authorization request is refused before any code is issued', async () => {
    const { context, page } = await newPage();
    try {
      const tokenRequests: string[] = [];
      page.on('request', (r) => {
        if (r.url() === `${ehr.issuer}/token`) tokenRequests.push(r.url());
      });
      await page.route(`${ehr.issuer}/authorize?**`, async (route) => {
        const url = new URL(route.request().url());
        expect(url.searchParams.get('aud')).toBe(ehr.fhirBaseUrl);
        url.searchParams.set('aud', 'http://127.0.0.1:9/fhir');
        await route.continue({ url: url.href });
      });
      await page.goto(ehr.launchPageUrl('dev-cyp2c19'));
      const frame = await appFrame(page);
      await frame.waitForSelector('[role="alert"]', { timeout: 15_000 });
      await expect(frame.locator('[role="alert"]').textContent()).resolves.toMatch(/aud/);
      expect(tokenRequests).toEqual([]);
      expect(frame.url()).not.toMatch(/[?&]code=/);
      await page.screenshot({ path: `${SHOTS}/app-wrong-aud.png` });
    } finally {
      await context.close();
    }
  });

  it('the service refuses the app API without a valid id_token from the EHR', async () => {
    const forged = await fetch(`${tailor.url}/api/drugs`, { headers: { authorization: 'Bearer a.b.c' } });
    expect(forged.status).toBe(401);
    const none = await fetch(`${tailor.url}/api/assessment`, { method: 'POST', body: '{"resources":[]}' });
    expect(none.status).toBe(401);
  });
});
