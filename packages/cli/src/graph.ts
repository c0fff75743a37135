// `runtrail graph`: the dataset ↔ job lineage of the store as Mermaid, Graphviz DOT or a self-contained HTML page.
// Runs are aggregated by template (orchestrator, flow, job): a job node reads and writes datasets, and links to the
// jobs that started it (parent) or handed work to it (upstream), across orchestrators.
import type { DatasetRef } from '@runtrail/core';
import { type InstanceView, statusOf } from './model.js';

/** The graph: job and dataset nodes, typed edges. */
export interface LineageGraph {
  jobs: Map<string, { id: string; label: string; orchestrator: string; runs: number; lastStatus: string }>;
  datasets: Map<string, { id: string; label: string }>;
  edges: { from: string; to: string; kind: 'reads' | 'writes' | 'parent' | 'upstream' }[];
}

const templateOf = (v: InstanceView) => `${v.ref.orchestrator}/${v.ref.flow}${v.ref.job ? `/${v.ref.job}` : ''}`;
const datasetKey = (d: DatasetRef) => `${d.platform}:${d.name}`;

/** Builds the template-level lineage graph. */
export function buildGraph(instances: Map<string, InstanceView>): LineageGraph {
  const g: LineageGraph = { jobs: new Map(), datasets: new Map(), edges: [] };
  const edgeKeys = new Set<string>();
  const edge = (from: string, to: string, kind: LineageGraph['edges'][number]['kind']) => {
    const k = `${from}>${to}>${kind}`;
    if (from === to || edgeKeys.has(k)) return;
    edgeKeys.add(k);
    g.edges.push({ from, to, kind });
  };
  const nodeId = (s: string) => `n${[...s].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(36)}`;
  const ordered = [...instances.values()].sort((a, b) => (a.attempts[0]?.start ?? 0) - (b.attempts[0]?.start ?? 0));
  for (const v of ordered) {
    const t = templateOf(v);
    const job = g.jobs.get(t) ?? {
      id: nodeId(t),
      label: v.ref.job ? `${v.ref.flow} › ${v.ref.job}` : v.ref.flow,
      orchestrator: v.ref.orchestrator,
      runs: 0,
      lastStatus: '',
    };
    job.runs++;
    job.lastStatus = statusOf(v);
    g.jobs.set(t, job);
    for (const d of v.inputs) {
      const k = datasetKey(d);
      if (!g.datasets.has(k)) g.datasets.set(k, { id: nodeId(`ds:${k}`), label: k });
      edge(g.datasets.get(k)?.id as string, job.id, 'reads');
    }
    for (const d of v.outputs) {
      const k = datasetKey(d);
      if (!g.datasets.has(k)) g.datasets.set(k, { id: nodeId(`ds:${k}`), label: k });
      edge(job.id, g.datasets.get(k)?.id as string, 'writes');
    }
  }
  for (const v of instances.values()) {
    const to = g.jobs.get(templateOf(v))?.id as string;
    const parent = v.parent ? instances.get(v.parent) : undefined;
    if (parent) edge(g.jobs.get(templateOf(parent))?.id as string, to, 'parent');
    for (const u of v.upstream) {
      const up = instances.get(u);
      if (up) edge(g.jobs.get(templateOf(up))?.id as string, to, 'upstream');
    }
  }
  return g;
}

const esc = (s: string) => s.replace(/"/g, "'");

/** Mermaid flowchart source. */
export function toMermaid(g: LineageGraph): string {
  const lines = ['flowchart LR'];
  for (const j of g.jobs.values())
    lines.push(
      `  ${j.id}["${esc(j.label)}<br/><small>${j.orchestrator} · ${j.runs} run${j.runs === 1 ? '' : 's'} · ${j.lastStatus}</small>"]`,
    );
  for (const d of g.datasets.values()) lines.push(`  ${d.id}[("${esc(d.label)}")]`);
  const arrow = { reads: '-->', writes: '-->', parent: '-.->|child|', upstream: '==>|hand-off|' } as const;
  for (const e of g.edges) lines.push(`  ${e.from} ${arrow[e.kind]} ${e.to}`);
  return `${lines.join('\n')}\n`;
}

/** Graphviz DOT source. */
export function toDot(g: LineageGraph): string {
  const lines = ['digraph lineage {', '  rankdir=LR;', '  node [fontname="Helvetica"];'];
  for (const j of g.jobs.values())
    lines.push(`  ${j.id} [shape=box, style=rounded, label="${esc(j.label)}\\n${j.orchestrator} · ${j.runs} runs · ${j.lastStatus}"];`);
  for (const d of g.datasets.values()) lines.push(`  ${d.id} [shape=cylinder, label="${esc(d.label)}"];`);
  const style = { reads: '', writes: '', parent: ' [style=dotted, label="child"]', upstream: ' [style=bold, label="hand-off"]' } as const;
  for (const e of g.edges) lines.push(`  ${e.from} -> ${e.to}${style[e.kind]};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const html = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A self-contained HTML page (no network): jobs and datasets laid out in columns by depth, edges as SVG paths.
 */
export function toHtml(g: LineageGraph, title = 'runtrail lineage'): string {
  const ids = [...g.jobs.values()].map((j) => j.id).concat([...g.datasets.values()].map((d) => d.id));
  // Columns by longest path from the sources (Kahn's order); nodes on cycles (a job rewriting its input) are
  // placed after their known predecessors instead of being pushed right forever.
  const depth = new Map(ids.map((id) => [id, 0]));
  const indegree = new Map(ids.map((id) => [id, 0]));
  for (const e of g.edges) indegree.set(e.to, (indegree.get(e.to) ?? 0) + 1);
  const ready = ids.filter((id) => indegree.get(id) === 0);
  const done = new Set<string>();
  const relax = (id: string) => {
    done.add(id);
    for (const e of g.edges) {
      if (e.from !== id || done.has(e.to)) continue;
      depth.set(e.to, Math.max(depth.get(e.to) ?? 0, (depth.get(id) ?? 0) + 1));
      indegree.set(e.to, (indegree.get(e.to) ?? 1) - 1);
      if (indegree.get(e.to) === 0) ready.push(e.to);
    }
  };
  while (done.size < ids.length) {
    const next = ready.shift() ?? ids.find((id) => !done.has(id));
    if (next === undefined) break;
    if (!done.has(next)) relax(next);
  }
  const columns = new Map<number, string[]>();
  for (const id of ids) columns.set(depth.get(id) ?? 0, [...(columns.get(depth.get(id) ?? 0) ?? []), id]);
  const W = 230;
  const H = 64;
  const pos = new Map<string, { x: number; y: number }>();
  for (const [col, list] of columns) {
    for (const [row, id] of list.entries()) pos.set(id, { x: 20 + col * (W + 70), y: 20 + row * (H + 30) });
  }
  const width = 40 + (Math.max(0, ...columns.keys()) + 1) * (W + 70);
  const height = 40 + Math.max(1, ...[...columns.values()].map((l) => l.length)) * (H + 30);
  const colour: Record<string, string> = {
    success: '#2e7d32',
    failure: '#c62828',
    retry: '#ef6c00',
    cancelled: '#ef6c00',
    running: '#0277bd',
  };
  const nodes: string[] = [];
  for (const j of g.jobs.values()) {
    const p = pos.get(j.id) ?? { x: 0, y: 0 };
    nodes.push(
      `<g><rect x="${p.x}" y="${p.y}" rx="10" width="${W}" height="${H}" fill="#fff" stroke="${colour[j.lastStatus] ?? '#555'}" stroke-width="2"/><title>${html(j.label)}</title><text x="${p.x + 10}" y="${p.y + 25}" font-weight="bold">${html(clip(j.label, 30))}</text><text x="${p.x + 10}" y="${p.y + 47}" fill="#555">${html(`${j.orchestrator} · ${j.runs} run${j.runs === 1 ? '' : 's'} · ${j.lastStatus}`)}</text></g>`,
    );
  }
  for (const d of g.datasets.values()) {
    const p = pos.get(d.id) ?? { x: 0, y: 0 };
    nodes.push(
      `<g><ellipse cx="${p.x + W / 2}" cy="${p.y + H / 2}" rx="${W / 2}" ry="${H / 2}" fill="#e3f2fd" stroke="#1565c0"/><title>${html(d.label)}</title><text x="${p.x + W / 2}" y="${p.y + H / 2 + 5}" text-anchor="middle">${html(clip(d.label, 32))}</text></g>`,
    );
  }
  const edges = g.edges.map((e) => {
    const a = pos.get(e.from) ?? { x: 0, y: 0 };
    const b = pos.get(e.to) ?? { x: 0, y: 0 };
    const [x1, y1, x2, y2] = [a.x + W, a.y + H / 2, b.x, b.y + H / 2];
    const dash = e.kind === 'parent' ? ' stroke-dasharray="4 4"' : e.kind === 'upstream' ? ' stroke-width="3"' : '';
    return `<path d="M${x1},${y1} C${x1 + 40},${y1} ${x2 - 40},${y2} ${x2},${y2}" fill="none" stroke="#777"${dash} marker-end="url(#arrow)"><title>${e.kind}</title></path>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${html(title)}</title>
<style>body{font-family:system-ui,sans-serif;margin:24px;color:#222}svg text{font-size:13px}.legend{color:#555;margin-bottom:12px}</style></head>
<body><h1>${html(title)}</h1>
<p class="legend">${g.jobs.size} jobs, ${g.datasets.size} datasets · solid arrows: reads/writes · dashed: child of · thick: hand-off</p>
<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#777"/></marker></defs>
${edges.join('\n')}
${nodes.join('\n')}
</svg></body></html>
`;
}
