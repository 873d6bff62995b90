// A grid that renders only the rows in view (plus a margin), so 10,000 cards scroll as smoothly as 10: the DOM
// holds a few screens of cards whatever the length of the list.
import { useEffect, useRef, useState, type ReactNode } from 'react';

export interface VirtualGridProps<T> {
  items: readonly T[];
  /** Card size including the gap, in CSS pixels. */
  itemWidth: number;
  rowHeight: number;
  overscanRows?: number;
  label: string;
  keyOf(item: T): string | number;
  render(item: T, index: number): ReactNode;
}

export function VirtualGrid<T>({ items, itemWidth, rowHeight, overscanRows = 2, label, keyOf, render }: VirtualGridProps<T>) {
  const ref = useRef<HTMLDivElement>(null);
  const [view, setView] = useState({ top: 0, height: 800, width: 1200 });

  useEffect(() => {
    const el = ref.current;
    if (!el) return undefined;
    const measure = () => setView({ top: el.scrollTop, height: el.clientHeight, width: el.clientWidth });
    measure();
    const observer = new ResizeObserver(measure);
    observer.observe(el);
    el.addEventListener('scroll', measure, { passive: true });
    return () => {
      observer.disconnect();
      el.removeEventListener('scroll', measure);
    };
  }, []);

  const columns = Math.max(1, Math.floor(view.width / itemWidth));
  const rows = Math.ceil(items.length / columns);
  const first = Math.max(0, Math.floor(view.top / rowHeight) - overscanRows);
  const last = Math.min(rows, Math.ceil((view.top + view.height) / rowHeight) + overscanRows);
  const cells: ReactNode[] = [];
  for (let row = first; row < last; row++) {
    for (let column = 0; column < columns; column++) {
      const index = row * columns + column;
      const item = items[index];
      if (item === undefined) break;
      cells.push(
        <div key={keyOf(item)} role="listitem" className="virtual-cell" style={{ transform: `translate(${column * itemWidth}px, ${row * rowHeight}px)`, width: itemWidth, height: rowHeight }}>
          {render(item, index)}
        </div>,
      );
    }
  }
  return (
    <div ref={ref} className="virtual-scroll" data-testid="virtual-scroll">
      <div role="list" aria-label={label} aria-rowcount={rows} className="virtual-body" style={{ height: rows * rowHeight }}>
        {cells}
      </div>
    </div>
  );
}
