/**
 * A latency histogram in constant memory: log-spaced buckets 1% apart from 1 µs, so a run of
 * millions of requests costs the same few kilobytes as a run of ten, and percentiles are within 1%.
 */
const GROWTH = Math.log(1.01);
const BUCKETS = 2400; // 1 µs * 1.01^2400 ≈ 23,000 s

export class Histogram {
  private readonly counts = new Uint32Array(BUCKETS);
  count = 0;
  min = Infinity;
  max = 0;

  record(ms: number): void {
    const us = Math.max(1, ms * 1000);
    const bucket = Math.min(BUCKETS - 1, Math.floor(Math.log(us) / GROWTH));
    this.counts[bucket]! += 1;
    this.count += 1;
    if (ms < this.min) this.min = ms;
    if (ms > this.max) this.max = ms;
  }

  /** The value at percentile p (0–100), in ms; 0 when nothing was recorded. */
  percentile(p: number): number {
    if (this.count === 0) return 0;
    const rank = Math.max(1, Math.ceil((p / 100) * this.count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.counts[bucket]!;
      if (seen >= rank) return Math.min(this.max, Math.max(this.min, Math.exp((bucket + 0.5) * GROWTH) / 1000));
    }
    return this.max;
  }
}
