// The `runtrail` command: `runs`, `graph`, `tail`, `send` over the local run store.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { defaultStorePath, readRunStore } from '@runtrail/core';
import { painter, useColour } from './format.js';
import { buildGraph, toDot, toHtml, toMermaid } from './graph.js';
import { buildInstances } from './model.js';
import { sendStore } from './send.js';
import { followStore, formatEvent } from './tail.js';
import { renderTree, summarize } from './tree.js';

const USAGE = `usage: runtrail <command> [options]

commands:
  runs   [--store FILE] [--json]                      the run tree: flows, jobs, attempts, links
  graph  [--store FILE] [--format mermaid|dot|html] [--out FILE]
                                                      dataset ↔ job lineage
  tail   [--store FILE] [--from-start]                follow new events live
  send   [--store FILE] [--to datahub|openlineage]    replay the store into DataHub / OpenLineage

The store is RUNTRAIL_STORE, else .runtrail/runs.jsonl under the current directory.`;

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({
      args: rest,
      options: {
        store: { type: 'string' },
        json: { type: 'boolean' },
        format: { type: 'string' },
        out: { type: 'string' },
        to: { type: 'string' },
        'from-start': { type: 'boolean' },
      },
      strict: true,
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const v = parsed.values as Record<string, string | boolean | undefined>;
  const store = path.resolve((v.store as string | undefined) ?? process.env.RUNTRAIL_STORE ?? defaultStorePath());
  const paint = painter(useColour(process.stdout));
  switch (command) {
    case 'runs': {
      const instances = buildInstances(readRunStore(store));
      if (v.json) {
        process.stdout.write(`${JSON.stringify([...instances.values()], null, 2)}\n`);
        return 0;
      }
      if (instances.size === 0) {
        process.stdout.write(`no runs in ${store}\n`);
        return 0;
      }
      process.stdout.write(`${renderTree(instances, paint).join('\n')}\n${summarize(instances)}\n`);
      return 0;
    }
    case 'graph': {
      const format = (v.format as string | undefined) ?? 'mermaid';
      const render = { mermaid: toMermaid, dot: toDot, html: (g: ReturnType<typeof buildGraph>) => toHtml(g) }[format];
      if (!render) throw new UsageError(`--format must be mermaid, dot or html, not ${format}`);
      const text = render(buildGraph(buildInstances(readRunStore(store))));
      if (v.out) {
        fs.mkdirSync(path.dirname(path.resolve(v.out as string)), { recursive: true });
        fs.writeFileSync(v.out as string, text);
        process.stderr.write(`wrote ${v.out}\n`);
      } else process.stdout.write(text);
      return 0;
    }
    case 'tail': {
      process.stderr.write(`following ${store} (Ctrl-C to stop)\n`);
      const stop = followStore(store, (e) => process.stdout.write(`${formatEvent(e, paint)}\n`), { fromStart: v['from-start'] === true });
      await new Promise<void>((resolve) => process.once('SIGINT', resolve).once('SIGTERM', resolve));
      stop();
      return 0;
    }
    case 'send': {
      const to = v.to as string | undefined;
      if (to !== undefined && to !== 'datahub' && to !== 'openlineage')
        throw new UsageError(`--to must be datahub or openlineage, not ${to}`);
      const events = readRunStore(store);
      const result = await sendStore(events, { to });
      process.stdout.write(`${result.sent} delivered, ${result.deadLettered} dead-lettered, ${result.undelivered} undelivered\n`);
      return result.undelivered > 0 ? 1 : 0;
    }
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`runtrail: ${(err as Error).message}\n`);
    if (err instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
    process.exitCode = err instanceof UsageError ? 2 : 1;
  },
);
