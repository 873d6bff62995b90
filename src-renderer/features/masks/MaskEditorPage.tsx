// The mask editor: the photo's newest mask (automatic or edited) over the photo, the tools, undo and redo, and
// save, which queues the edit as the photo's next version and keeps every earlier one.
import { useCallback, useEffect, useMemo, useState } from 'react';

import type { Mask, Photo } from '../../../src-main/common/api/index.js';
import { settled, trackJob } from '../../app/jobs-store.js';
import { href } from '../../app/router.js';
import { toast, toastError } from '../../app/toasts.js';
import { useApi } from '../../app/use-api.js';
import { studio } from '../../bridge/studio.js';
import { createBitmap } from './mask-bitmap.js';
import { MaskDocument } from './mask-document.js';
import { bitmapFromPng, bitmapToPngBase64 } from './mask-png.js';
import { MaskStage, type View } from './MaskStage.js';
import { commandForKey, TOOL_KEYS, type EditorCommand } from './shortcuts.js';
import { TOOLS, type ToolName } from './tools.js';

const TOOL_LABEL: Record<ToolName, string> = { brush: 'Brush', eraser: 'Eraser', lasso: 'Lasso', fill: 'Fill', pan: 'Pan' };
const FIT: View = { zoom: 1, panX: 0, panY: 0 };

function Editor({ photo, masks }: { photo: Photo; masks: Mask[] }) {
  const doc = useMemo(() => new MaskDocument(photo.width, photo.height), [photo]);
  const [revision, setRevision] = useState(0);
  const [tool, setTool] = useState<ToolName>('brush');
  const [size, setSize] = useState(() => Math.max(4, Math.round(Math.min(photo.width, photo.height) / 12)));
  const [hardness, setHardness] = useState(0.8);
  const [view, setView] = useState<View>(FIT);
  const [overlay, setOverlay] = useState<'tint' | 'mask'>('tint');
  const [saving, setSaving] = useState(false);
  const [loaded, setLoaded] = useState<number | null>(null);
  const newest = masks.at(-1);
  const bump = useCallback(() => setRevision(doc.revision), [doc]);

  useEffect(() => {
    let live = true;
    const load = newest ? bitmapFromPng(studio.fileUrl(newest.blob), photo.width, photo.height) : Promise.resolve(createBitmap(photo.width, photo.height));
    load.then((bitmap) => {
      if (!live) return;
      doc.dispatch({ type: 'load', bitmap });
      setLoaded(newest?.version ?? 0);
      bump();
    }, (e: unknown) => toastError('The mask could not be opened', e));
    return () => {
      live = false;
    };
    // Opening a version replaces the edit: only when the photo changes, not when a save adds a version.
  }, [doc]);

  const save = useCallback(async () => {
    if (saving) return;
    setSaving(true);
    try {
      const job = await studio.call('masks.save', { photoId: photo.id, png: await bitmapToPngBase64(doc.bitmap) });
      trackJob(job);
      const done = await settled(job);
      if (done.state !== 'done') throw done.error ?? new Error(`the save ${done.state}`);
      doc.markSaved();
      bump();
      toast('success', 'Mask saved as a new version', newest ? `Version ${newest.version} is kept.` : '');
    } catch (e) {
      toastError('The mask was not saved', e);
    } finally {
      setSaving(false);
    }
  }, [saving, photo.id, doc, bump, newest]);

  const run = useCallback((command: EditorCommand) => {
    switch (command.type) {
      case 'tool': return setTool(command.tool);
      case 'undo': return doc.undo() && bump();
      case 'redo': return doc.redo() && bump();
      case 'save': return void save();
      case 'invert': return (doc.dispatch({ type: 'invert' }), bump());
      case 'feather': return (doc.dispatch({ type: 'feather', radius: Math.max(2, size / 4) }), bump());
      case 'size': return setSize((s) => Math.max(1, Math.min(2000, Math.round(s * (command.by > 0 ? 1.2 : 1 / 1.2)))));
      case 'hardness': return setHardness((h) => Math.max(0, Math.min(1, Math.round((h + command.by) * 10) / 10)));
      case 'zoom': return setView((v) => ({ ...v, zoom: Math.min(32, Math.max(0.25, v.zoom * command.by)) }));
      case 'fit': return setView(FIT);
    }
  }, [doc, bump, save, size]);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.target instanceof HTMLInputElement || e.target instanceof HTMLSelectElement || e.target instanceof HTMLTextAreaElement) return;
      const command = commandForKey(e);
      if (!command) return;
      e.preventDefault();
      run(command);
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [run]);

  useEffect(() => {
    const warn = (e: BeforeUnloadEvent) => doc.unsaved && e.preventDefault();
    window.addEventListener('beforeunload', warn);
    return () => window.removeEventListener('beforeunload', warn);
  }, [doc]);

  return (
    <div className="mask-editor">
      <div className="toolbar mask-toolbar" role="toolbar" aria-label="Mask tools">
        <div role="radiogroup" aria-label="Tool" className="segmented">
          {TOOLS.map((t) => (
            <button key={t} type="button" role="radio" aria-checked={tool === t} className={tool === t ? 'active' : ''} title={`${TOOL_LABEL[t]} (${TOOL_KEYS[t]})`} onClick={() => setTool(t)}>
              {TOOL_LABEL[t]}
            </button>
          ))}
        </div>
        <label className="inline">Size <input type="range" min={1} max={Math.max(photo.width, photo.height) / 2} value={size} onChange={(e) => setSize(Number(e.target.value))} aria-valuetext={`${size} pixels`} /> <span className="num">{size}px</span></label>
        <label className="inline">Hardness <input type="range" min={0} max={1} step={0.1} value={hardness} onChange={(e) => setHardness(Number(e.target.value))} /> <span className="num">{Math.round(hardness * 100)}%</span></label>
        <button type="button" onClick={() => run({ type: 'feather' })} title="Feather the edge (F)">Feather</button>
        <button type="button" onClick={() => run({ type: 'invert' })} title="Invert (I)">Invert</button>
        <button type="button" onClick={() => run({ type: 'undo' })} disabled={!doc.canUndo} title="Undo (Ctrl+Z)">Undo</button>
        <button type="button" onClick={() => run({ type: 'redo' })} disabled={!doc.canRedo} title="Redo (Ctrl+Shift+Z)">Redo</button>
        <button type="button" onClick={() => run({ type: 'zoom', by: 0.8 })} aria-label="Zoom out">−</button>
        <span className="num" aria-label="Zoom">{Math.round(view.zoom * 100)}%</span>
        <button type="button" onClick={() => run({ type: 'zoom', by: 1.25 })} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => run({ type: 'fit' })} title="Fit (0)">Fit</button>
        <label className="inline"><input type="checkbox" checked={overlay === 'mask'} onChange={(e) => setOverlay(e.target.checked ? 'mask' : 'tint')} /> Mask only</label>
        <span className="spacer" />
        <span className="muted small" aria-live="polite">{loaded === null ? 'Opening…' : `${loaded ? `Version ${loaded}` : 'New mask'}${doc.unsaved ? ' · unsaved changes' : ''}`}</span>
        <button type="button" className="primary" onClick={() => void save()} disabled={saving || loaded === null} title="Save as a new version (Ctrl+S)">{saving ? 'Saving…' : 'Save new version'}</button>
      </div>
      <MaskStage doc={doc} revision={revision} photoUrl={studio.fileUrl(photo.processingBlob)} tool={tool} settings={{ size, hardness }} view={view} onView={setView} onEdited={bump} overlay={overlay} />
      <p className="muted small shortcuts">
        B brush · E eraser · L lasso · G fill · H or Space pan · Alt reverses a tool · [ ] size · Shift+[ ] hardness · F feather · I invert · Ctrl+Z / Ctrl+Shift+Z · + − 0 zoom · Ctrl+S save
      </p>
      <details className="versions">
        <summary>Versions ({masks.length})</summary>
        <ol>{masks.map((m) => <li key={m.id}>Version {m.version}: {m.origin === 'auto' ? `automatic${m.model ? ` (${m.model})` : ''}` : 'edited'}, {new Date(m.createdAt).toLocaleString()}</li>)}</ol>
      </details>
    </div>
  );
}

export function MaskEditorPage({ projectId, photoId }: { projectId: number; photoId: number }) {
  const photo = useApi('photos.show', { photoId });
  const masks = useApi('masks.list', { photoId }, ['masks']);
  const error = photo.error ?? masks.error;
  return (
    <section className="page mask-page" aria-labelledby="mask-title">
      <nav className="breadcrumbs" aria-label="Breadcrumbs"><a href={href({ page: 'project', projectId, tab: 'photos' })}>Back to the photos</a></nav>
      <h1 id="mask-title">Face mask{photo.data ? ` — ${photo.data.originalName}` : ''}</h1>
      {error && <p role="alert" className="error-text">{error.message} {error.hint}</p>}
      {photo.data && masks.data && <Editor photo={photo.data} masks={masks.data} />}
    </section>
  );
}
