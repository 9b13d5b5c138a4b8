/**
 * Where a bundle's cold start goes: a CPU profile of one cold run (`node --cpu-prof`), each sample's stack
 * mapped back through the bundle's source map to the original files, and time summed per source (a file of
 * ours, or an npm package) — inclusive (the source is anywhere on the stack) and self (it is on top).
 */
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { basename, dirname, resolve } from 'node:path';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface SourceTime {
  source: string;
  inclusiveMs: number;
  selfMs: number;
}

/** A package name for node_modules paths, the repository path for ours, or a runtime bucket. */
function sourceOf(original: string): string {
  const packageMatch = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(original);
  // The SDK is not in the bundle: the Lambda runtime provides it, and it is loaded from there.
  if (packageMatch?.[1] && /^@(aws-sdk|smithy|aws-crypto)\//.test(packageMatch[1]))
    return 'AWS SDK v3 (runtime-provided)';
  if (packageMatch?.[1]) return packageMatch[1];
  const ours = /(functions|rules)\/.*$/.exec(original);
  return ours ? ours[0] : original;
}

/** Sums the profile in `dir` per original source of the bundle `bundleFile` (whose .map sits beside it). */
export function attributeProfile(dir: string, bundleFile: string): SourceTime[] {
  const profileFile = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!profileFile) throw new Error(`no .cpuprofile in ${dir}`);
  const profile = JSON.parse(readFileSync(`${dir}/${profileFile}`, 'utf8')) as CpuProfile;
  const map = new SourceMap(JSON.parse(readFileSync(`${bundleFile}.map`, 'utf8')));
  const bundleName = basename(bundleFile);
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const label = new Map<number, string>();
  const labelOf = (node: ProfileNode): string => {
    const cached = label.get(node.id);
    if (cached) return cached;
    const { url, lineNumber, columnNumber, functionName } = node.callFrame;
    let result: string;
    if (url.endsWith(bundleName)) {
      const entry = map.findEntry(lineNumber, columnNumber) as { originalSource?: string };
      // Sources are relative to the map (packages' own maps are chained in): resolve before naming.
      result = entry.originalSource
        ? sourceOf(resolve(dirname(bundleFile), entry.originalSource.replace(/^file:\/\//, '')))
        : '(bundle, unmapped)';
    } else if (url.includes('node_modules')) result = sourceOf(url);
    else result = `(node: ${functionName || 'anonymous'})`;
    label.set(node.id, result);
    return result;
  };
  const inclusive = new Map<string, number>();
  const self = new Map<string, number>();
  profile.samples.forEach((sample, i) => {
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    const top = byId.get(sample);
    if (!top) return;
    const topLabel = labelOf(top);
    self.set(topLabel, (self.get(topLabel) ?? 0) + ms);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const node = byId.get(id);
      if (!node || node.callFrame.functionName === '(root)') continue;
      const name = labelOf(node);
      // Runtime frames wrap everything (module loading); only their self time says something.
      if (name.startsWith('(node:')) continue;
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    }
  });
  const names = new Set([...inclusive.keys(), ...self.keys()]);
  return [...names]
    .map((source) => ({
      source,
      inclusiveMs: inclusive.get(source) ?? self.get(source) ?? 0,
      selfMs: self.get(source) ?? 0,
    }))
    .sort((a, b) => b.inclusiveMs - a.inclusiveMs);
}
