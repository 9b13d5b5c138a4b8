import { beforeEach, describe, expect, it } from 'vitest';
import {
  type RuleSetFile,
  type RuleStore,
  RuleStoreError,
  type RuleStoreErrorCode,
} from '../../functions/core/ports';
import { contentHash } from '../../functions/core/ruleset/hash';

/** What each implementation's test file provides: fresh, empty storage per test. */
export interface RuleStoreFixture {
  store: RuleStore;
  /** A second store over the same data (another process, another client): the racing party. */
  other: RuleStore;
  /** Raw access behind the store's back, to play a tamperer or a publisher that died. */
  raw: {
    /** Replaces the text of a stored (single-chunk) file. */
    rewriteFile(version: string, path: string, text: string): Promise<void>;
    /** Adds a file the manifest does not list. */
    addFile(version: string, path: string, text: string): Promise<void>;
    deleteFile(version: string, path: string): Promise<void>;
    deleteManifest(version: string): Promise<void>;
  };
}

export interface RuleStoreContractOptions {
  /** Rounds of the parallel publish race. */
  raceRounds?: number;
}

const ALICE = 'alice@example.org';
const BOB = 'bob@example.org';
const CAROL = 'carol@example.org';

/** A small synthetic rules directory; `tag` makes each version's content differ. */
export function ruleSetFiles(tag: string): RuleSetFile[] {
  return [
    {
      path: 'pgx/cyp2c19-clopidogrel.rule.json',
      text: `${JSON.stringify({ id: 'cyp2c19-clopidogrel', version: '1.0.0', tag }, null, 2)}\n`,
    },
    {
      path: 'pgx/cyp2c19-clopidogrel.cases.json',
      text: JSON.stringify([{ name: 'poor metabolizer', expect: 'avoid' }]),
    },
    {
      path: 'drugs/ingredients.json',
      text: '{"clopidogrel":{"rxnorm":"32968","names":{"da":"klopidogrel"}}}',
    },
    { path: 'README.md', text: `# Regler ${tag}\n\nÆøå — 🧬 tab\there, trailing spaces  \r\n` },
    { path: 'empty.txt', text: '' },
  ];
}

/** A JSON rules file of about `kb` kilobytes with multi-byte characters throughout (chunk edges fall inside them). */
export function largeFile(kb: number): RuleSetFile {
  const entries: Record<string, string> = {};
  let size = 0;
  for (let i = 0; size < kb * 1024; i++) {
    const value = `allel ${i} — funktion nedsat 🧬 ${'ø'.repeat(i % 7)}`;
    entries[`variant-${String(i).padStart(6, '0')}`] = value;
    size += Buffer.byteLength(value) + 24;
  }
  return { path: 'genes/large-table.json', text: JSON.stringify({ gene: 'SYNTH1', entries }, null, 1) };
}

async function refusal(promise: Promise<unknown>): Promise<RuleStoreErrorCode> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(RuleStoreError);
  return (error as RuleStoreError).code;
}

const at = (minute: number) => `2025-03-01T10:${String(minute).padStart(2, '0')}:00.000Z`;

export function describeRuleStoreContract(
  name: string,
  setup: () => Promise<RuleStoreFixture>,
  options: RuleStoreContractOptions = {},
): void {
  const raceRounds = options.raceRounds ?? 5;

  describe(`RuleStore contract: ${name}`, () => {
    let store: RuleStore;
    let other: RuleStore;
    let raw: RuleStoreFixture['raw'];

    beforeEach(async () => {
      ({ store, other, raw } = await setup());
    });

    /** Publishes by alice and approves by bob. */
    async function approved(version: string, minute: number): Promise<void> {
      await store.publish(version, ruleSetFiles(version), ALICE, at(minute));
      await store.approve(version, BOB, at(minute), 'reviewed');
    }

    describe('publish and load', () => {
      it('round-trips every file exactly and describes the version', async () => {
        const files = ruleSetFiles('a');

        const meta = await store.publish('1.0.0', files, ALICE, at(0), 'first release');
        const loaded = await other.load('1.0.0');

        expect(meta).toEqual({
          version: '1.0.0',
          hash: contentHash(files),
          fileCount: files.length,
          publishedBy: ALICE,
          publishedAt: at(0),
          state: 'published',
          note: 'first release',
        });
        expect(loaded.meta).toEqual(meta);
        expect([...loaded.files].sort((a, b) => a.path.localeCompare(b.path))).toEqual(
          [...files].sort((a, b) => a.path.localeCompare(b.path)),
        );
        expect(await store.list()).toEqual([meta]);
        expect(await store.history()).toEqual([
          { act: 'publish', version: '1.0.0', by: ALICE, at: at(0), why: 'first release' },
        ]);
      });

      it('gives the same hash to the same content formatted differently', async () => {
        const files = ruleSetFiles('a');
        const reformatted = files.map((file) =>
          file.path.endsWith('.json')
            ? { ...file, text: JSON.stringify(JSON.parse(file.text), null, 4) }
            : file,
        );

        const first = await store.publish('1.0.0', files, ALICE, at(0));
        const second = await store.publish('1.0.1', [...reformatted].reverse(), ALICE, at(1));

        expect(second.hash).toBe(first.hash);
      });

      it('reports a version that does not exist as not-found', async () => {
        expect(await refusal(store.load('9.9.9'))).toBe('not-found');
        expect(await store.list()).toEqual([]);
        expect(await store.active()).toBeUndefined();
      });

      it('refuses duplicate paths before claiming the version', async () => {
        const files = ruleSetFiles('a');
        const duplicate = [...files, { path: files[0]!.path, text: '{}' }];

        await expect(store.publish('1.0.0', duplicate, ALICE, at(0))).rejects.toThrow(RangeError);
        await store.publish('1.0.0', files, ALICE, at(1));

        expect((await store.load('1.0.0')).files).toHaveLength(files.length);
      });

      it('chunks a ~900 KB file and round-trips it', async () => {
        const big = largeFile(900);
        const files = [...ruleSetFiles('large'), big];
        expect(Buffer.byteLength(big.text)).toBeGreaterThan(900 * 1024);

        await store.publish('2.0.0', files, ALICE, at(0));
        const loaded = await other.load('2.0.0');

        expect(loaded.files.find((file) => file.path === big.path)?.text).toBe(big.text);
        expect(loaded.meta.hash).toBe(contentHash(files));
      });

      it('loads a version larger than one Query page (1 MB) whole', async () => {
        const files = [
          ...ruleSetFiles('paged'),
          largeFile(700),
          { ...largeFile(700), path: 'genes/second.json' },
        ];
        expect(files.reduce((bytes, file) => bytes + Buffer.byteLength(file.text), 0)).toBeGreaterThan(
          1400 * 1024,
        );

        await store.publish('3.0.0', files, ALICE, at(0));
        const loaded = await other.load('3.0.0');

        expect([...loaded.files].sort((a, b) => a.path.localeCompare(b.path))).toEqual(
          [...files].sort((a, b) => a.path.localeCompare(b.path)),
        );
      });
    });

    describe('immutability', () => {
      it('refuses to overwrite a published version', async () => {
        const files = ruleSetFiles('original');
        await store.publish('1.0.0', files, ALICE, at(0));

        expect(await refusal(store.publish('1.0.0', ruleSetFiles('changed'), ALICE, at(1)))).toBe('exists');
        expect(await refusal(other.publish('1.0.0', files, CAROL, at(2)))).toBe('exists');
        const loaded = await store.load('1.0.0');
        expect(loaded.meta.publishedBy).toBe(ALICE);
        expect(loaded.files.find((file) => file.path === files[0]!.path)?.text).toBe(files[0]!.text);
      });

      it(`lets exactly one of two parallel publishers of a version win (${raceRounds} rounds)`, async () => {
        const versions = Array.from({ length: raceRounds }, (_, round) => `3.0.${round}`);

        const outcomes = await Promise.all(
          versions.map((version) =>
            Promise.allSettled([
              store.publish(version, ruleSetFiles(`alice ${version}`), ALICE, at(0)),
              other.publish(version, [...ruleSetFiles(`carol ${version}`), largeFile(20)], CAROL, at(0)),
            ]),
          ),
        );

        for (const [round, results] of outcomes.entries()) {
          const version = versions[round]!;
          const won = results.filter((result) => result.status === 'fulfilled');
          const lost = results.filter((result) => result.status === 'rejected');
          expect(won, version).toHaveLength(1);
          expect(lost, version).toHaveLength(1);
          expect((lost[0] as PromiseRejectedResult).reason).toMatchObject({ code: 'exists' });
          const winner = results[0]!.status === 'fulfilled' ? ALICE : CAROL;
          const expected =
            winner === ALICE
              ? ruleSetFiles(`alice ${version}`)
              : [...ruleSetFiles(`carol ${version}`), largeFile(20)];
          const loaded = await store.load(version);
          expect(loaded.meta.publishedBy).toBe(winner);
          expect(loaded.meta.hash).toBe(contentHash(expected));
          expect(loaded.files).toHaveLength(expected.length);
        }
        expect((await store.list()).map((meta) => meta.version).sort()).toEqual([...versions].sort());
      });
    });

    describe('verification on load', () => {
      it('refuses a version whose file text was changed behind its back (tampered)', async () => {
        await approved('1.0.0', 0);
        await raw.rewriteFile('1.0.0', 'drugs/ingredients.json', '{"clopidogrel":{"rxnorm":"0000"}}');

        expect(await refusal(store.load('1.0.0'))).toBe('tampered');
        expect(await refusal(store.activate('1.0.0', CAROL, at(1), 'go live'))).toBe('tampered');
        expect(await store.active()).toBeUndefined();
      });

      it('refuses a version holding a file its manifest does not list (tampered)', async () => {
        await store.publish('1.0.0', ruleSetFiles('a'), ALICE, at(0));
        await raw.addFile('1.0.0', 'pgx/injected.rule.json', '{"id":"injected"}');

        expect(await refusal(store.load('1.0.0'))).toBe('tampered');
      });

      it('refuses a version whose publisher died before the manifest (incomplete)', async () => {
        await store.publish('1.0.0', ruleSetFiles('a'), ALICE, at(0));
        await raw.deleteManifest('1.0.0');

        expect(await refusal(store.load('1.0.0'))).toBe('incomplete');
        expect(await refusal(store.approve('1.0.0', BOB, at(1)))).toBe('incomplete');
        // The version number stays taken: the content is published again under a new one.
        expect(await refusal(store.publish('1.0.0', ruleSetFiles('a'), ALICE, at(2)))).toBe('exists');
      });

      it('refuses a version with a file missing (incomplete)', async () => {
        await store.publish('1.0.0', ruleSetFiles('a'), ALICE, at(0));
        await raw.deleteFile('1.0.0', 'README.md');

        expect(await refusal(store.load('1.0.0'))).toBe('incomplete');
      });
    });

    describe('approval', () => {
      it('refuses approval by the publisher (four eyes)', async () => {
        await store.publish('1.0.0', ruleSetFiles('a'), ALICE, at(0));

        expect(await refusal(store.approve('1.0.0', ALICE, at(1)))).toBe('four-eyes');
        expect((await store.load('1.0.0')).meta.state).toBe('published');
      });

      it('records an approval by someone else; the same approver again is a no-op, another is refused', async () => {
        await store.publish('1.0.0', ruleSetFiles('a'), ALICE, at(0));

        const meta = await store.approve('1.0.0', BOB, at(1), 'cases reviewed');
        const again = await other.approve('1.0.0', BOB, at(2));

        expect(meta).toMatchObject({ state: 'approved', approvedBy: BOB, approvedAt: at(1) });
        expect(again).toEqual(meta);
        expect(await refusal(store.approve('1.0.0', CAROL, at(3)))).toBe('conflict');
        expect((await store.load('1.0.0')).meta).toEqual(meta);
        expect((await store.history()).filter((act) => act.act === 'approve')).toEqual([
          { act: 'approve', version: '1.0.0', by: BOB, at: at(1), why: 'cases reviewed' },
        ]);
      });

      it('refuses to approve a version that does not exist', async () => {
        expect(await refusal(store.approve('4.0.0', BOB, at(0)))).toBe('not-found');
      });
    });

    describe('activation', () => {
      it('needs an approved version', async () => {
        await store.publish('1.0.0', ruleSetFiles('a'), ALICE, at(0));

        expect(await refusal(store.activate('1.0.0', BOB, at(1), 'go live'))).toBe('not-approved');
        expect(await refusal(store.activate('7.0.0', BOB, at(1), 'go live'))).toBe('not-found');
        expect(await store.active()).toBeUndefined();
      });

      it('activates, switches and rolls back, recording who, when, why and the previous version', async () => {
        await approved('1.0.0', 0);
        await approved('1.1.0', 1);

        const first = await store.activate('1.0.0', CAROL, at(10), 'initial go-live');
        const second = await other.activate('1.1.0', CAROL, at(20), 'new warfarin rule', '1.0.0');
        const back = await store.activate('1.0.0', BOB, at(30), 'false alerts in 1.1.0', '1.1.0');

        expect(first).toEqual({
          act: 'activate',
          version: '1.0.0',
          by: CAROL,
          at: at(10),
          why: 'initial go-live',
        });
        expect(second).toEqual({
          act: 'activate',
          version: '1.1.0',
          previous: '1.0.0',
          by: CAROL,
          at: at(20),
          why: 'new warfarin rule',
        });
        expect(back).toEqual({
          act: 'rollback',
          version: '1.0.0',
          previous: '1.1.0',
          by: BOB,
          at: at(30),
          why: 'false alerts in 1.1.0',
        });
        expect(await other.active()).toEqual({ version: '1.0.0', since: at(30) });
        const history = await other.history();
        expect(history.map((act) => [act.act, act.version])).toEqual([
          ['publish', '1.0.0'],
          ['approve', '1.0.0'],
          ['publish', '1.1.0'],
          ['approve', '1.1.0'],
          ['activate', '1.0.0'],
          ['activate', '1.1.0'],
          ['rollback', '1.0.0'],
        ]);
        expect(history.slice(-3)).toEqual([first, second, back]);
        const states = Object.fromEntries((await store.list()).map((meta) => [meta.version, meta.state]));
        expect(states).toEqual({ '1.0.0': 'active', '1.1.0': 'superseded' });
        expect((await store.load('1.1.0')).meta.state).toBe('superseded');
      });

      it('refuses an activation whose expected active version is stale (conflict)', async () => {
        await approved('1.0.0', 0);
        await approved('1.1.0', 1);
        await approved('1.2.0', 2);
        await store.activate('1.0.0', CAROL, at(10), 'go live');
        await other.activate('1.1.0', CAROL, at(11), 'update', '1.0.0');

        expect(await refusal(store.activate('1.2.0', BOB, at(12), 'update', '1.0.0'))).toBe('conflict');
        expect(await refusal(store.activate('1.1.0', BOB, at(12), 'again'))).toBe('conflict');
        expect(await store.active()).toEqual({ version: '1.1.0', since: at(11) });
      });

      it('lets exactly one of two parallel activations from the same expected version win', async () => {
        await approved('1.0.0', 0);
        await store.activate('1.0.0', CAROL, at(1), 'go live');
        let expected = '1.0.0';
        for (let round = 1; round <= 3; round++) {
          const mine = `1.${round}.0`;
          const theirs = `1.${round}.1`;
          await approved(mine, round);
          await approved(theirs, round);

          const results = await Promise.allSettled([
            store.activate(mine, CAROL, at(10 + round), 'mine', expected),
            other.activate(theirs, BOB, at(10 + round), 'theirs', expected),
          ]);

          const won = results.filter((result) => result.status === 'fulfilled');
          expect(won).toHaveLength(1);
          const lost = results.find((result) => result.status === 'rejected') as PromiseRejectedResult;
          expect(lost.reason).toMatchObject({ code: 'conflict' });
          const winner = (won[0] as PromiseFulfilledResult<{ version: string; previous?: string }>).value;
          expect(winner.previous).toBe(expected);
          expect((await store.active())?.version).toBe(winner.version);
          expected = winner.version;
        }
        const activations = (await store.history()).filter((act) => act.act === 'activate');
        expect(activations).toHaveLength(4);
        for (const [i, act] of activations.entries()) expect(act.previous).toBe(activations[i - 1]?.version);
      });
    });
  });
}
