// @runtrail/cli: the run store read back as instances, and the renderers behind the `runtrail` command.
export type { Colour } from './format.js';
export { formatDuration, painter, statusColour, useColour } from './format.js';
export type { LineageGraph } from './graph.js';
export { buildGraph, toDot, toHtml, toMermaid } from './graph.js';
export type { AttemptView, InstanceView } from './model.js';
export { buildInstances, durationOf, keyOf, statusOf } from './model.js';
export type { SendOptions } from './send.js';
export { sendStore } from './send.js';
export { followStore, formatEvent } from './tail.js';
export { renderTree, summarize } from './tree.js';
