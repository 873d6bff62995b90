// The attention-map viewer of a portrait: where the text encoder's tokens were read, per layer group (down / mid /
// up blocks of the UNet) and step range, as heatmaps over the image; two tokens side by side to compare, e.g. the
// identity token against the style token. Maps are captured only when asked for at generation time.
import { useEffect, useMemo, useState } from 'react';

import type { Generation } from '../../../src-main/common/api/index.js';
import { useApi } from '../../app/use-api.js';
import { studio } from '../../bridge/studio.js';
import { AttentionCanvas } from './AttentionCanvas.js';
import { defaultTokens, tokenLabel } from './heatmap.js';

const GROUP_NAMES = { down: 'Down blocks (coarse layout)', mid: 'Mid block', up: 'Up blocks (detail)' } as const;

function useImage(src: string): HTMLImageElement | null {
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  useEffect(() => {
    const img = new Image();
    img.onload = () => setImage(img);
    img.src = src;
    return () => { img.onload = null; };
  }, [src]);
  return image;
}

function Maps({ generation }: { generation: Generation }) {
  const maps = useApi('generations.attention', { generationId: generation.id });
  const image = useImage(studio.fileUrl(generation.imageBlob));
  const [group, setGroup] = useState(-1);
  const [range, setRange] = useState(-1);
  const [opacity, setOpacity] = useState(0.6);
  const [tokens, setTokens] = useState<[number, number] | null>(null);
  const data = maps.data;
  const initial = useMemo(() => (data ? defaultTokens(data.tokens) : null), [data]);
  if (maps.error) return <div role="alert" className="empty-state"><p>{maps.error.message}</p></div>;
  if (!data || !initial) return <p role="status">Loading the attention maps…</p>;

  // Defaults: the up blocks (where the maps are sharpest) over the whole late range.
  const g = group >= 0 ? group : Math.max(0, data.groups.lastIndexOf('up'));
  const r = range >= 0 ? range : data.stepRanges.length - 1;
  const [a, b] = tokens ?? initial;
  const tokenSelect = (label: string, value: number, set: (t: number) => void) => (
    <label>{label}
      <select value={value} onChange={(e) => set(Number(e.target.value))}>
        {data.tokens.map((t, i) => <option key={i} value={i}>{i}: {tokenLabel(t)}</option>)}
      </select>
    </label>
  );

  return (
    <>
      <div className="grid-form attention-controls">
        <label>Layers
          <select value={g} onChange={(e) => setGroup(Number(e.target.value))}>
            {data.groups.map((name, i) => <option key={name} value={i}>{GROUP_NAMES[name]}</option>)}
          </select>
        </label>
        <label>Steps
          <select value={r} onChange={(e) => setRange(Number(e.target.value))}>
            {data.stepRanges.map((s, i) => <option key={i} value={i}>{s.first + 1}–{s.last + 1} of {data.steps}</option>)}
          </select>
        </label>
        <label>Opacity
          <input type="range" min={0} max={1} step={0.05} value={opacity} onChange={(e) => setOpacity(Number(e.target.value))} />
        </label>
        {tokenSelect('Left token', a, (t) => setTokens([t, b]))}
        {tokenSelect('Right token', b, (t) => setTokens([a, t]))}
      </div>
      <div className="attention-body">
        {[a, b].map((t, side) => (
          <AttentionCanvas key={side} image={image} map={data.maps[g]?.[r]?.[t] ?? []} resolution={data.resolution} token={data.tokens[t] ?? ''} opacity={opacity} />
        ))}
      </div>
      <p className="muted small">Each heatmap is scaled to its own peak; the caption gives that peak as a share of the pixel’s attention over all tokens.</p>
    </>
  );
}

export function AttentionViewer({ generation, onClose }: { generation: Generation; onClose: () => void }) {
  return (
    <section className="attention" aria-label={`Attention maps of portrait ${generation.id}`}>
      <div className="toolbar">
        <h2>Attention — portrait #{generation.id}</h2>
        <span className="spacer" />
        <button type="button" onClick={onClose}>Back to the grid</button>
      </div>
      {generation.attentionMapsBlob === null
        ? (
          <div className="attention-body">
            <img src={studio.fileUrl(generation.imageBlob)} alt={`Portrait ${generation.id}`} />
            <div role="status" className="empty-state">
              <p>No attention maps were captured for this portrait. Tick “Capture attention maps” in Prompt and generate it again (copy its recipe to keep the seed).</p>
            </div>
          </div>
        )
        : <Maps generation={generation} />}
    </section>
  );
}
