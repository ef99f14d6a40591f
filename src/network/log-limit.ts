/**
 * A log that a flood cannot flood: anyone who can reach a player's port can
 * make it refuse connections, so refusal lines are rate-limited. At most
 * `burst` lines are written per window; the others are counted, and the
 * count is written as one line when the next line passes or when the log is
 * flushed (at shutdown).
 */

export interface RateLimitedLogOptions {
  /** Lines written per window before the rest are only counted. */
  readonly burst: number;
  /** Window length (ms). */
  readonly windowMs: number;
  /** What one suppressed line was, for the summary ("refusal"; an 's' is added for several). */
  readonly what: string;
}

export class RateLimitedLog {
  private windowStart = -Infinity;
  private written = 0;
  private suppressed = 0;

  constructor(
    private readonly log: (message: string) => void,
    private readonly options: RateLimitedLogOptions,
  ) {}

  /** Writes `message` unless this window's budget is spent. */
  line(message: string): void {
    const now = Date.now();
    if (now - this.windowStart >= this.options.windowMs) {
      this.flush();
      this.windowStart = now;
      this.written = 0;
    }
    if (this.written < this.options.burst) {
      this.written += 1;
      this.log(message);
    } else {
      this.suppressed += 1;
    }
  }

  /** Writes the count of suppressed lines, if any. */
  flush(): void {
    if (this.suppressed === 0) return;
    const n = this.suppressed;
    this.suppressed = 0;
    this.log(`${n} further ${this.options.what}${n === 1 ? ' was' : 's were'} not logged (at most ${this.options.burst} lines per ${this.options.windowMs} ms)`);
  }
}
