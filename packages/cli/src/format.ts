// Terminal formatting: ANSI colours only when the stream is a TTY (respecting NO_COLOR / FORCE_COLOR),
// durations for humans.

const CODES = { red: 31, green: 32, yellow: 33, blue: 34, magenta: 35, cyan: 36, gray: 90, bold: 1 } as const;
export type Colour = keyof typeof CODES;

/** Whether to colour output written to `stream`. */
export function useColour(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '0') return true;
  return stream.isTTY === true;
}

/** A painter that colours or not. */
export function painter(enabled: boolean): (colour: Colour, text: string) => string {
  return (colour, text) => (enabled ? `\u001b[${CODES[colour]}m${text}\u001b[0m` : text);
}

/** Colour of a status word. */
export function statusColour(status: string): Colour {
  switch (status) {
    case 'success':
      return 'green';
    case 'failure':
    case 'timed_out':
    case 'terminated':
      return 'red';
    case 'retry':
    case 'cancelled':
    case 'skipped':
      return 'yellow';
    case 'running':
      return 'cyan';
    default:
      return 'gray';
  }
}

/** `850 ms`, `4.2 s`, `3 min 12 s`. */
export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`;
}
