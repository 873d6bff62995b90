// A one-line progress bar on stderr (redrawn in place on a terminal, one line per 10% otherwise).
export class ProgressBar {
  private lastDecile = -1;

  constructor(
    private readonly label: string,
    private readonly stream: NodeJS.WriteStream = process.stderr,
  ) {}

  /** `detail` (e.g. the current losses) follows the count and the ETA. */
  update(done: number, total: number, etaSeconds?: number, detail?: string): void {
    const fraction = total > 0 ? Math.min(1, done / total) : 0;
    const eta = etaSeconds === undefined ? '' : ` ETA ${formatSeconds(etaSeconds)}`;
    const text = `${this.label} ${done}/${total}${eta}${detail ? ` ${detail}` : ''}`;
    if (this.stream.isTTY) {
      const width = 30;
      const filled = Math.round(fraction * width);
      this.stream.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${text}   `);
      if (done >= total) this.stream.write('\n');
      return;
    }
    const decile = Math.floor(fraction * 10);
    if (decile !== this.lastDecile) {
      this.lastDecile = decile;
      this.stream.write(`${Math.round(fraction * 100)}% ${text}\n`);
    }
  }
}

export function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s` : `${s}s`;
}
