/**
 * One log line per period for a repeated condition, with how many were left out: a database
 * outage seen by every request must not write a stack trace per request.
 */
export class ThrottledLog {
  private last = -Infinity;
  private suppressed = 0;

  constructor(
    private readonly periodMs: number,
    private readonly write: (line: string) => void,
    private readonly now: () => number = Date.now,
  ) {}

  report(line: string): void {
    const t = this.now();
    if (t - this.last < this.periodMs) {
      this.suppressed++;
      return;
    }
    const more = this.suppressed ? ` (${this.suppressed} more like it since the last line)` : '';
    this.last = t;
    this.suppressed = 0;
    this.write(`${line}${more}`);
  }
}

