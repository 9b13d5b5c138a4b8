/** `npm run bench`: every benchmark, each compared with its baseline in the same run. Not part of the tests. */
import { benchHttp, formatHttp } from './http';
import { formatMeasurement } from './measure';
import { benchRulesEngine } from './rules-engine';

const out = (text: string) => process.stdout.write(`${text}\n`);
const only = process.argv[2];

out(`Tailor benchmarks · node ${process.version} · ${new Date().toISOString()}\n`);
if (!only || only === 'engine') {
  out('Rules engine: one evaluation = all 5 orders of an order-sign request (15 gene results, 3 variants)');
  for (const m of await benchRulesEngine()) {
    out(formatMeasurement(m, 'Tailor indexed evaluate', 'plain json-rules-engine, all rules'));
  }
  out('');
}
if (!only || only === 'http') {
  out('CDS Hooks over HTTP (autocannon, same process, loopback)');
  out(formatHttp(await benchHttp()));
}
