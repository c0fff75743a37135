// `runtrail runs`: the run tree — flow instances with their job instances nested by parent, each with its
// attempts (status, duration, error) and its upstream links; cycles and repeated nodes are cut, never followed.

import { type Colour, formatDuration, statusColour } from './format.js';
import { durationOf, type InstanceView, statusOf } from './model.js';

type Paint = (colour: Colour, text: string) => string;

function label(v: InstanceView): string {
  const what = v.ref.job ? `${v.ref.flow} › ${v.ref.job}` : v.ref.flow;
  return `${what} [${v.ref.orchestrator}] ${v.ref.id}`;
}

function shortName(v: InstanceView | undefined, key: string): string {
  return v ? `${v.ref.job ?? v.ref.flow} (${v.ref.orchestrator} ${v.ref.id})` : key;
}

/** Renders the tree of `instances` as lines of text. */
export function renderTree(instances: Map<string, InstanceView>, paint: Paint): string[] {
  const children = new Map<string, InstanceView[]>();
  const roots: InstanceView[] = [];
  for (const v of instances.values()) {
    if (v.parent && v.parent !== v.key && instances.has(v.parent)) {
      const list = children.get(v.parent) ?? [];
      list.push(v);
      children.set(v.parent, list);
    } else roots.push(v);
  }
  const firstSeen = (v: InstanceView) => v.queuedAt ?? v.attempts[0]?.start ?? Number.MAX_SAFE_INTEGER;
  const byTime = (a: InstanceView, b: InstanceView) => firstSeen(a) - firstSeen(b);
  roots.sort(byTime);
  const lines: string[] = [];
  const shown = new Set<string>();
  const visit = (v: InstanceView, indent: string, last: boolean, top: boolean) => {
    const branch = top ? '' : last ? '└─ ' : '├─ ';
    const status = statusOf(v);
    if (shown.has(v.key)) {
      lines.push(`${indent}${branch}${paint('gray', `↺ ${label(v)} (shown above)`)}`);
      return;
    }
    shown.add(v.key);
    const duration = formatDuration(durationOf(v));
    lines.push(`${indent}${branch}${paint('bold', label(v))}  ${paint(statusColour(status), status)}${duration ? `  ${duration}` : ''}`);
    const inner = top ? '' : `${indent}${last ? '   ' : '│  '}`;
    for (const u of v.upstream) lines.push(`${inner}   ${paint('magenta', `↖ upstream: ${shortName(instances.get(u), u)}`)}`);
    if (v.attempts.length > 1 || v.attempts.some((a) => a.status && a.status !== 'success')) {
      for (const a of v.attempts) {
        const s = a.status ?? 'running';
        const d = a.start !== undefined && a.end !== undefined ? `  ${formatDuration(a.end - a.start)}` : '';
        const err = a.error ? `  ${paint('red', a.error.split('\n')[0]?.slice(0, 160) ?? '')}` : '';
        lines.push(
          `${inner}   attempt ${a.attempt}: ${paint(statusColour(s), s)}${a.native ? paint('gray', ` (${a.native})`) : ''}${d}${err}`,
        );
      }
    }
    if (v.inputs.length || v.outputs.length) {
      const ds = (list: typeof v.inputs) => list.map((d) => `${d.platform}:${d.name}`).join(', ');
      lines.push(
        `${inner}   ${paint('blue', `${v.inputs.length ? `reads ${ds(v.inputs)}` : ''}${v.inputs.length && v.outputs.length ? '; ' : ''}${v.outputs.length ? `writes ${ds(v.outputs)}` : ''}`)}`,
      );
    }
    const kids = (children.get(v.key) ?? []).sort(byTime);
    for (const [i, k] of kids.entries()) visit(k, inner, i === kids.length - 1, false);
  };
  for (const r of roots) {
    visit(r, '', true, true);
    lines.push('');
  }
  // Instances only reachable through a parent cycle were never shown: list them so nothing disappears.
  for (const v of instances.values()) if (!shown.has(v.key)) visit(v, '', true, true);
  return lines;
}

/** A one-line summary: instances by status. */
export function summarize(instances: Map<string, InstanceView>): string {
  const counts = new Map<string, number>();
  for (const v of instances.values()) counts.set(statusOf(v), (counts.get(statusOf(v)) ?? 0) + 1);
  const parts = [...counts.entries()].sort().map(([s, n]) => `${n} ${s}`);
  return `${instances.size} instances: ${parts.join(', ')}`;
}
