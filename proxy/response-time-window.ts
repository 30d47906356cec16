/**
 * The last `capacity` completed requests' response times (nominal ms) with their end instants, for
 * LeastResponseTime. A ring of two number arrays: a sample costs no object and no shifting of the
 * ones before it, however many requests a server has served.
 */
export class ResponseTimeWindow {
  private readonly at: Float64Array;
  private readonly ms: Float64Array;
  private size = 0;
  /** Where the next sample goes. */
  private next = 0;

  constructor(private readonly capacity: number) {
    this.at = new Float64Array(capacity);
    this.ms = new Float64Array(capacity);
  }

  add(at: number, ms: number): void {
    this.at[this.next] = at;
    this.ms[this.next] = ms;
    this.next = (this.next + 1) % this.capacity;
    if (this.size < this.capacity) this.size++;
  }

  /** Average over the samples that ended within `periodMs` of `now`, newest first until one is older. */
  average(now: number, periodMs: number): number | undefined {
    let sum = 0;
    let n = 0;
    for (let k = 1; k <= this.size; k++) {
      const i = (this.next - k + this.capacity) % this.capacity;
      if (now - this.at[i]! > periodMs) break;
      sum += this.ms[i]!;
      n++;
    }
    return n === 0 ? undefined : sum / n;
  }
}
