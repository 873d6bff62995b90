// Loss curves drawn as progress arrives: one line per loss term, both phases on one step axis.
import type { LossPoint } from '../../app/jobs-store.js';

const W = 480;
const H = 160;
const SHADES = ['#d8d8d8', '#9fb4c8', '#c8b49f', '#a8c8a0', '#c0a0c8', '#8a8a8a'];

export function LossChart({ points }: { points: readonly LossPoint[] }) {
  const names = [...new Set(points.flatMap((p) => Object.keys(p.losses)))];
  if (points.length < 2 || names.length === 0) return <p className="muted small">The loss curves appear after the first steps.</p>;
  const values = points.flatMap((p) => names.map((n) => p.losses[n]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  const max = Math.max(...values, 1e-9);
  const min = Math.min(...values, 0);
  const x = (i: number) => (i / (points.length - 1)) * (W - 8) + 4;
  const y = (v: number) => H - 4 - ((v - min) / (max - min || 1)) * (H - 8);
  return (
    <figure className="loss-chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Loss curves: ${names.join(', ')} over ${points.length} steps`} data-testid="loss-chart">
        <rect x={0} y={0} width={W} height={H} className="chart-bg" />
        {names.map((n, k) => (
          <polyline key={n} fill="none" stroke={SHADES[k % SHADES.length]} strokeWidth={1.5} data-loss={n}
            points={points.map((p, i) => (typeof p.losses[n] === 'number' ? `${x(i).toFixed(1)},${y(p.losses[n] as number).toFixed(1)}` : '')).filter(Boolean).join(' ')} />
        ))}
      </svg>
      <figcaption className="legend">
        {names.map((n, k) => <span key={n}><i style={{ background: SHADES[k % SHADES.length] }} /> {n} {points.at(-1)?.losses[n]?.toFixed(4) ?? ''}</span>)}
      </figcaption>
    </figure>
  );
}
