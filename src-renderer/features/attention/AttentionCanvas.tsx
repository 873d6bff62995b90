// One token's heatmap drawn over the portrait. The map (8 to 16 cells a side) is put into a canvas of its own size
// and scaled up with smoothing, which is how the engine's attention reads: coarse, not blocky.
import { useEffect, useMemo, useRef } from 'react';

import { heatmapPixels, tokenLabel } from './heatmap.js';

export interface AttentionCanvasProps {
  image: HTMLImageElement | null;
  map: readonly number[];
  resolution: number;
  token: string;
  opacity: number;
}

export function AttentionCanvas({ image, map, resolution, token, opacity }: AttentionCanvasProps) {
  const ref = useRef<HTMLCanvasElement>(null);
  const { pixels, peak } = useMemo(() => heatmapPixels(map, resolution), [map, resolution]);

  useEffect(() => {
    const canvas = ref.current;
    const context = canvas?.getContext('2d');
    if (!canvas || !context || !image) return;
    canvas.width = image.naturalWidth;
    canvas.height = image.naturalHeight;
    context.drawImage(image, 0, 0);
    const cells = document.createElement('canvas');
    cells.width = resolution;
    cells.height = resolution;
    cells.getContext('2d')?.putImageData(new ImageData(pixels, resolution, resolution), 0, 0);
    context.imageSmoothingEnabled = true;
    context.globalAlpha = opacity;
    context.drawImage(cells, 0, 0, canvas.width, canvas.height);
    context.globalAlpha = 1;
  }, [image, pixels, resolution, opacity]);

  const label = tokenLabel(token);
  return (
    <figure className="attention-map">
      <canvas ref={ref} role="img" aria-label={`Attention of “${label}” over the portrait`} />
      <figcaption>“{label}” — peak {(peak * 100).toFixed(1)} % of a pixel’s attention</figcaption>
    </figure>
  );
}
