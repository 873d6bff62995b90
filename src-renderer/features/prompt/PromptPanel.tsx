// The prompt panel: identity and style tokens as chips, attribute presets, the negative prompt, seed (locked or
// random), sampler, steps, CFG, LoRA scales, size and count; queue it; copy and paste a recipe.
import { useState } from 'react';

import { SAMPLERS, type Project, type RecipeParams, type Sampler } from '../../../src-main/common/api/index.js';
import { settled, trackJob } from '../../app/jobs-store.js';
import { href } from '../../app/router.js';
import { toast, toastError } from '../../app/toasts.js';
import { useApi } from '../../app/use-api.js';
import { studio } from '../../bridge/studio.js';
import { ATTRIBUTE_PRESETS, recipeFromText, recipeToText } from './recipe.js';

function NumberField({ label, value, onChange, min, max, step = 1 }: { label: string; value: number; onChange: (n: number) => void; min: number; max: number; step?: number }) {
  return <label>{label}<input type="number" min={min} max={max} step={step} value={value} onChange={(e) => onChange(Number(e.target.value))} /></label>;
}

export function PromptPanel({ project }: { project: Project }) {
  const subject = project.subjectToken || '<sks>';
  const style = project.styleToken || '<style>';
  const [prompt, setPrompt] = useState(`a photo of ${subject} person in the style of ${style}`);
  const [negative, setNegative] = useState('blurry, deformed, low quality');
  const [seedLocked, setSeedLocked] = useState(false);
  const [seed, setSeed] = useState(() => Math.floor(Math.random() * 2 ** 31));
  const [sampler, setSampler] = useState<Sampler>('euler_a');
  const [steps, setSteps] = useState(50);
  const [cfg, setCfg] = useState(7);
  const [width, setWidth] = useState(512);
  const [height, setHeight] = useState(512);
  const [unet, setUnet] = useState(0.6);
  const [text, setText] = useState(0.9);
  const [count, setCount] = useState(4);
  const [captureAttention, setCaptureAttention] = useState(false);
  const [paste, setPaste] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const runs = useApi('training.list', { projectId: project.id }, ['trainingRuns']);
  const finished = (runs.data ?? []).filter((r) => r.run.state === 'done');
  const [runChoice, setRunChoice] = useState<string>('latest');

  const insert = (words: string) => setPrompt((p) => (p.trim() ? `${p.trim()}, ${words}` : words));
  const recipe = (): RecipeParams => ({ prompt, negativePrompt: negative, sampler, steps, cfg, width, height, loraScales: { unet, textEncoder: text }, ...(seedLocked ? { seed } : {}) });

  function apply(r: RecipeParams) {
    setPrompt(r.prompt);
    if (r.negativePrompt !== undefined) setNegative(r.negativePrompt);
    if (r.seed !== undefined) {
      setSeed(r.seed);
      setSeedLocked(true);
    }
    if (r.sampler) setSampler(r.sampler);
    if (r.steps) setSteps(r.steps);
    if (r.cfg !== undefined) setCfg(r.cfg);
    if (r.width) setWidth(r.width);
    if (r.height) setHeight(r.height);
    if (r.loraScales?.unet !== undefined) setUnet(r.loraScales.unet);
    if (r.loraScales?.textEncoder !== undefined) setText(r.loraScales.textEncoder);
  }

  async function generate() {
    setBusy(true);
    try {
      const trainingRunId = runChoice === 'latest' ? undefined : runChoice === 'base' ? null : Number(runChoice);
      const job = await studio.call('generations.generate', { projectId: project.id, recipe: recipe(), count, ...(captureAttention ? { captureAttention } : {}), ...(trainingRunId === undefined ? {} : { trainingRunId }) });
      trackJob(job);
      toast('info', `${count} portrait${count === 1 ? '' : 's'} queued`, 'They appear in Results as they are made.');
      void settled(job).then((done) => done.state === 'done' && toast('success', 'Portraits ready', '', ''));
    } catch (e) {
      toastError('The portraits were not queued', e);
    } finally {
      setBusy(false);
    }
  }

  async function copy() {
    const value = recipeToText(recipe());
    try {
      await navigator.clipboard.writeText(value);
      toast('success', 'Recipe copied');
    } catch {
      setPaste(value);
    }
  }

  return (
    <div className="prompt-panel">
      <section aria-labelledby="prompt-title" className="prompt-main">
        <h2 id="prompt-title">Prompt</h2>
        <div className="chips" role="group" aria-label="Tokens">
          <button type="button" className="chip identity" onClick={() => insert(`${subject} person`)} title="The client's identity">{subject} identity</button>
          <button type="button" className="chip style" onClick={() => insert(`in the style of ${style}`)} title="The reference portraits' style">{style} style</button>
        </div>
        <label>Prompt<textarea rows={3} value={prompt} onChange={(e) => setPrompt(e.target.value)} /></label>
        {ATTRIBUTE_PRESETS.map((g) => (
          <div key={g.group} className="chips" role="group" aria-label={g.group}>
            <span className="muted small">{g.group}</span>
            {g.items.map(([label, words]) => <button key={label} type="button" className="chip" onClick={() => insert(words)}>{label}</button>)}
          </div>
        ))}
        <label>Negative prompt<textarea rows={2} value={negative} onChange={(e) => setNegative(e.target.value)} /></label>
      </section>
      <section aria-labelledby="prompt-settings" className="prompt-settings">
        <h2 id="prompt-settings">Settings</h2>
        <div className="grid-form">
          <label>Model
            <select value={runChoice} onChange={(e) => setRunChoice(e.target.value)}>
              <option value="latest">Latest finished training</option>
              {finished.map((r) => <option key={r.run.id} value={r.run.id}>Training #{r.run.id}</option>)}
              <option value="base">Base model only</option>
            </select>
          </label>
          <label className="inline"><input type="checkbox" checked={seedLocked} onChange={(e) => setSeedLocked(e.target.checked)} /> Lock seed</label>
          <label>Seed<input type="number" min={0} value={seed} disabled={!seedLocked} onChange={(e) => setSeed(Number(e.target.value))} /></label>
          <button type="button" onClick={() => setSeed(Math.floor(Math.random() * 2 ** 31))} disabled={!seedLocked}>New seed</button>
          <label>Sampler<select value={sampler} onChange={(e) => setSampler(e.target.value as Sampler)}>{SAMPLERS.map((s) => <option key={s}>{s}</option>)}</select></label>
          <NumberField label="Steps" value={steps} onChange={setSteps} min={1} max={150} />
          <NumberField label="CFG" value={cfg} onChange={setCfg} min={0} max={30} step={0.5} />
          <NumberField label="Width" value={width} onChange={setWidth} min={64} max={2048} step={8} />
          <NumberField label="Height" value={height} onChange={setHeight} min={64} max={2048} step={8} />
          <NumberField label="LoRA scale, UNet" value={unet} onChange={setUnet} min={-4} max={4} step={0.05} />
          <NumberField label="LoRA scale, text encoder" value={text} onChange={setText} min={-4} max={4} step={0.05} />
          <NumberField label="Number of images" value={count} onChange={setCount} min={1} max={64} />
          <label className="inline" title="Keeps each portrait's per-token attention maps for the Attention viewer (sampling is slower)">
            <input type="checkbox" checked={captureAttention} onChange={(e) => setCaptureAttention(e.target.checked)} /> Capture attention maps
          </label>
        </div>
        <div className="actions">
          <button type="button" onClick={copy}>Copy recipe</button>
          <button type="button" onClick={() => setPaste('')}>Paste recipe…</button>
          <button type="button" className="primary" disabled={busy || !prompt.trim()} onClick={generate}>{busy ? 'Queueing…' : 'Generate'}</button>
        </div>
        {paste !== null && (
          <div className="paste-box">
            <label>Recipe (JSON)<textarea rows={8} value={paste} onChange={(e) => setPaste(e.target.value)} /></label>
            <div className="actions">
              <button type="button" onClick={() => setPaste(null)}>Close</button>
              <button type="button" onClick={() => { try { apply(recipeFromText(paste)); setPaste(null); } catch (e) { toastError('That recipe could not be used', e); } }}>Use this recipe</button>
            </div>
          </div>
        )}
        <p className="muted small">Portraits appear in <a href={href({ page: 'project', projectId: project.id, tab: 'results' })}>Results</a>.</p>
      </section>
    </div>
  );
}
