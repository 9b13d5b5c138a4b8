import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { type Browser, chromium } from 'playwright-core';

/**
 * Chromium for the end-to-end tests: the system's (Debian package `chromium`, /usr/bin/chromium) or the one the
 * npm package @sparticuz/chromium carries. Missing, it fails loudly: browser tests never skip silently.
 */

/** Flags for a closed network: no background connections, no updates, no sync; root needs --no-sandbox. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
}

/** The Chromium binary to drive: TAILOR_CHROMIUM, the system's, or @sparticuz/chromium's. */
export async function findChromium(): Promise<string> {
  const configured = process.env.TAILOR_CHROMIUM;
  if (configured) {
    if (existsSync(configured)) return configured;
    throw new ChromiumMissingError(`TAILOR_CHROMIUM=${configured} does not exist`);
  }
  for (const path of SYSTEM_PATHS) if (existsSync(path)) return path;
  try {
    // Optional: only present when installed (npm install -D @sparticuz/chromium).
    const require = createRequire(import.meta.url);
    const sparticuz = require('@sparticuz/chromium') as { default?: SparticuzChromium } & SparticuzChromium;
    const path = await (sparticuz.default ?? sparticuz).executablePath();
    if (path && existsSync(path)) return path;
  } catch {}
  throw new ChromiumMissingError(
    'Chromium is missing: the end-to-end tests need a browser. Install it with ' +
      '`apt-get update && apt-get install -y chromium` (Debian; gives /usr/bin/chromium), or ' +
      '`npm install -D @sparticuz/chromium`, or set TAILOR_CHROMIUM to a Chromium binary.',
  );
}

interface SparticuzChromium {
  executablePath(): Promise<string>;
}

/**
 * Starts headless Chromium through playwright-core. Playwright gives every launch a fresh, empty user-data
 * directory (and removes it on close); each test then takes its own context.
 */
export async function launchChromium(): Promise<Browser> {
  const executablePath = await findChromium();
  return chromium.launch({ executablePath, headless: true, args: CHROMIUM_FLAGS, timeout: 30_000 });
}
