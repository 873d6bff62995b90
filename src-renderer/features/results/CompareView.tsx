// Two to four portraits side by side with one zoom and pan for all: looking at the eyes of one looks at the
// eyes of every one.
import { useState, type PointerEvent, type WheelEvent } from 'react';

import type { Generation } from '../../../src-main/common/api/index.js';
import { studio } from '../../bridge/studio.js';

export function CompareView({ items, onClose }: { items: Generation[]; onClose: () => void }) {
  const [view, setView] = useState({ zoom: 1, x: 0, y: 0 });
  const [drag, setDrag] = useState<{ x: number; y: number } | null>(null);
  const onWheel = (e: WheelEvent) => setView((v) => ({ ...v, zoom: Math.min(16, Math.max(1, v.zoom * Math.exp(-e.deltaY * 0.0015))) }));
  const onMove = (e: PointerEvent) => {
    if (!drag) return;
    setView((v) => ({ ...v, x: v.x + e.clientX - drag.x, y: v.y + e.clientY - drag.y }));
    setDrag({ x: e.clientX, y: e.clientY });
  };
  return (
    <section className="compare" aria-label="Compare portraits">
      <div className="toolbar">
        <h2>Compare ({items.length})</h2>
        <button type="button" onClick={() => setView((v) => ({ ...v, zoom: Math.max(1, v.zoom / 1.25) }))} aria-label="Zoom out">−</button>
        <span className="num" data-testid="compare-zoom">{Math.round(view.zoom * 100)}%</span>
        <button type="button" onClick={() => setView((v) => ({ ...v, zoom: Math.min(16, v.zoom * 1.25) }))} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => setView({ zoom: 1, x: 0, y: 0 })}>Fit</button>
        <span className="spacer" />
        <button type="button" onClick={onClose}>Back to the grid</button>
      </div>
      <div className={`compare-grid n${items.length}`}>
        {items.map((g) => (
          <div key={g.id} className="compare-cell" onWheel={onWheel} onPointerDown={(e) => (e.currentTarget.setPointerCapture(e.pointerId), setDrag({ x: e.clientX, y: e.clientY }))} onPointerMove={onMove} onPointerUp={() => setDrag(null)}>
            <img src={studio.fileUrl(g.imageBlob)} alt={`Portrait ${g.id}`} draggable={false} data-compare-id={g.id}
              style={{ transform: `translate(${view.x}px, ${view.y}px) scale(${view.zoom})` }} />
            <span className="compare-label">#{g.id} · seed {g.recipe.seed}</span>
          </div>
        ))}
      </div>
    </section>
  );
}
