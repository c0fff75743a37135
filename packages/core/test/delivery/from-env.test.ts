// emitterFromEnv: the embedded store by default, backends from their standard variables, the kill switch,
// and configuration errors at construction.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { StrictGmsServer } from '../../../../test/helpers/strict-gms.js';
import { StrictOpenLineageServer } from '../../../../test/helpers/strict-openlineage.js';
import { emitterFromEnv, transportsFromEnv } from '../../src/delivery/from-env.js';
import { ConfigError } from '../../src/errors.js';
import { readRunStore } from '../../src/transports/run-store.js';
import { runs } from './helpers.js';

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'rt-env-'));

describe('emitterFromEnv', () => {
  it('writes to .runtrail/runs.jsonl under the working directory with nothing configured', async () => {
    const cwd = tmp();
    const emitter = emitterFromEnv({ env: {}, cwd });
    for (const e of runs(3)) emitter.enqueue(e);
    await emitter.close();
    expect(readRunStore(path.join(cwd, '.runtrail', 'runs.jsonl')).map((e) => e.kind)).toEqual([
      'start',
      'end',
      'start',
      'end',
      'start',
      'end',
    ]);
  });

  it('honours RUNTRAIL_STORE, and sends to DataHub and OpenLineage too when they are configured', async () => {
    const cwd = tmp();
    const gms = await new StrictGmsServer({ token: 'tok' }).start();
    const ol = await StrictOpenLineageServer.start({ apiKey: 'key' });
    try {
      const env = {
        RUNTRAIL_STORE: 'store/runs.jsonl',
        DATAHUB_GMS_URL: gms.url,
        DATAHUB_GMS_TOKEN: 'tok',
        OPENLINEAGE_URL: ol.url,
        OPENLINEAGE_API_KEY: 'key',
      };
      expect(transportsFromEnv(env, cwd).map((t) => t.name)).toEqual(['store', 'datahub', 'openlineage']);
      const emitter = emitterFromEnv({ env, cwd });
      for (const e of runs(2)) emitter.enqueue(e);
      await emitter.close();
      expect(readRunStore(path.join(cwd, 'store', 'runs.jsonl'))).toHaveLength(4);
      expect(gms.accepted.filter((m) => m.aspectName === 'dataProcessInstanceRunEvent')).toHaveLength(4);
      expect(ol.accepted).toHaveLength(4);
    } finally {
      await gms.stop();
      await ol.close();
    }
  });

  it('turns everything off with RUNTRAIL_DISABLED and the store off with RUNTRAIL_STORE=off', async () => {
    const cwd = tmp();
    const off = emitterFromEnv({ env: { RUNTRAIL_DISABLED: 'true' }, cwd, spool: {} });
    for (const e of runs(2)) off.enqueue(e);
    await off.close();
    expect(off.stats().accepted).toBe(0);
    expect(fs.existsSync(path.join(cwd, '.runtrail'))).toBe(false);
    expect(transportsFromEnv({ RUNTRAIL_STORE: 'off' }, cwd)).toEqual([]);
  });

  it('puts the spool under .runtrail/spool unless RUNTRAIL_SPOOL says otherwise', async () => {
    const cwd = tmp();
    const emitter = emitterFromEnv({ env: {}, cwd, spool: {} });
    emitter.enqueue(runs(1)[0] as never);
    await emitter.close();
    expect(fs.existsSync(path.join(cwd, '.runtrail', 'spool', 'slot-0'))).toBe(true);
    const noSpool = emitterFromEnv({ env: { RUNTRAIL_SPOOL: 'off' }, cwd: tmp(), spool: {} });
    await noSpool.close();
  });

  it('rejects bad settings with a ConfigError at construction', () => {
    expect(() => emitterFromEnv({ env: { RUNTRAIL_MAX_QUEUE_SIZE: 'lots' }, cwd: tmp() })).toThrow(ConfigError);
    expect(() => emitterFromEnv({ env: { DATAHUB_GMS_URL: 'gms:8080' }, cwd: tmp() })).toThrow(/DATAHUB_GMS_URL/);
    expect(() => emitterFromEnv({ env: {}, cwd: tmp(), maxBatchSize: -1 })).toThrow(ConfigError);
  });
});

describe('the run store', () => {
  it('stays line-intact with several processes appending at once', async () => {
    const file = path.join(tmp(), 'runs.jsonl');
    const script = new URL('./fixtures/store-writer.mjs', import.meta.url).pathname;
    await Promise.all(
      ['a', 'b', 'c', 'd'].map(
        (tag) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, [script, file, '400', tag], { stdio: 'inherit' });
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`writer ${tag} exited ${code}`))));
          }),
      ),
    );
    const lines = fs.readFileSync(file, 'utf8').trim().split('\n');
    expect(lines).toHaveLength(1600);
    const ids = new Set(lines.map((l) => (JSON.parse(l) as { instance: { id: string } }).instance.id));
    expect(ids.size).toBe(1600);
  });

  it('flush() alone keeps the process alive until the events are written', () => {
    const file = path.join(tmp(), 'runs.jsonl');
    const script = new URL('./fixtures/flush-only.mjs', import.meta.url).pathname;
    // A full batch arms an unref'd timer at once; flush() must ref it (this exited 13 with nothing sent before).
    const child = spawnSync(process.execPath, [script, file, '50'], { encoding: 'utf8' });
    expect(child.status).toBe(0);
    expect(child.stdout).toBe('50');
    expect(fs.readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(50);
  });
});
