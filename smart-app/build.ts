/**
 * Builds the SMART app into smart-app/dist/: two ES-module entries (launch, app) sharing a chunk, minified,
 * plus the static pages. `npm run build:app` (tsx smart-app/build.ts); the e2e tests call buildSmartApp().
 */
import { copyFile, mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));
export const DEFAULT_OUT_DIR = join(HERE, 'dist');

export interface BuildResult {
  outDir: string;
  /** Every file written, with its size raw and gzipped (bytes). */
  files: { name: string; bytes: number; gzipBytes: number }[];
  /** JavaScript and CSS the app page loads (app.js, its chunks, app.css). */
  appBytes: number;
  appGzipBytes: number;
}

export async function buildSmartApp(options: { outDir?: string } = {}): Promise<BuildResult> {
  const outDir = options.outDir ?? DEFAULT_OUT_DIR;
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  await build({
    entryPoints: { launch: join(HERE, 'src/launch.ts'), app: join(HERE, 'src/main.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: ['chrome109', 'firefox115', 'safari16', 'edge109'],
    minify: true,
    sourcemap: false,
    chunkNames: 'chunks/[name]-[hash]',
    // fhirclient's "pure" build: modern browsers have fetch and AbortController, so no polyfills are bundled.
    define: { FHIRCLIENT_PURE: 'true', 'process.env.NODE_ENV': '"production"' },
    legalComments: 'external',
    logLevel: 'warning',
  });
  for (const file of await readdir(join(HERE, 'public')))
    await copyFile(join(HERE, 'public', file), join(outDir, file));

  const files: BuildResult['files'] = [];
  for (const name of await listFiles(outDir)) {
    const content = await readFile(join(outDir, name));
    files.push({ name, bytes: content.length, gzipBytes: gzipSync(content, { level: 9 }).length });
  }
  const appFiles = files.filter(
    (f) => f.name === 'app.js' || f.name === 'app.css' || f.name.startsWith('chunks/'),
  );
  return {
    outDir,
    files,
    appBytes: appFiles.reduce((sum, f) => sum + f.bytes, 0),
    appGzipBytes: appFiles.reduce((sum, f) => sum + f.gzipBytes, 0),
  };
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const names: string[] = [];
  for (const entry of await readdir(join(dir, prefix))) {
    const path = prefix ? `${prefix}/${entry}` : entry;
    if ((await stat(join(dir, path))).isDirectory()) names.push(...(await listFiles(dir, path)));
    else names.push(path);
  }
  return names.sort();
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const result = await buildSmartApp();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  for (const f of result.files)
    process.stdout.write(`  ${f.name.padEnd(32)} ${kb(f.bytes).padStart(9)}  gzip ${kb(f.gzipBytes)}\n`);
  process.stdout.write(
    `SMART app built in ${result.outDir}: the app page loads ${kb(result.appBytes)} (gzip ${kb(result.appGzipBytes)})\n`,
  );
}
