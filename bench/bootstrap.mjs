// @ts-check
// The statistics of the benches that judge a target over many rounds: the median of per-round ratios (and their
// geometric mean, reported beside it), and a 95% percentile-bootstrap interval of either (rounds resampled with a
// fixed seed, so that the same samples give the same interval).

/** Bootstrap resamples of the rounds. */
const RESAMPLES = 4000;

/** The median (of an even count, the mean of the two middle ones). @param {number[]} xs */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] ?? Number.NaN) : ((s[m - 1] ?? Number.NaN) + (s[m] ?? Number.NaN)) / 2;
}

/** The geometric mean (of ratios: a round twice as fast and one half as fast cancel out). @param {number[]} xs */
export function geometricMean(xs) {
  return Math.exp(xs.reduce((sum, x) => sum + Math.log(x), 0) / xs.length);
}

/** `x` to 3 decimals, as the results files carry ratios. @param {number} x */
export function round3(x) {
  return +x.toFixed(3);
}

/** A seeded PRNG (mulberry32). @param {number} seed */
function random(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * 95% percentile-bootstrap interval of a statistic of `xs`.
 * @param {number[]} xs
 * @param {(xs: number[]) => number} [statistic] default: the median
 * @returns {[number, number]}
 */
export function interval(xs, statistic = median) {
  const next = random(8);
  const stats = [];
  for (let b = 0; b < RESAMPLES; b++) stats.push(statistic(xs.map(() => /** @type {number} */ (xs[Math.floor(next() * xs.length)]))));
  stats.sort((a, b) => a - b);
  return [stats[Math.floor(0.025 * RESAMPLES)] ?? Number.NaN, stats[Math.ceil(0.975 * RESAMPLES) - 1] ?? Number.NaN];
}
