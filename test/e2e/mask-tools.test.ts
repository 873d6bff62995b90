// The mask editor's tools and history without a DOM: state machines fed pointer inputs, the document's actions,
// undo and redo, and the pixel operations.
import { describe, expect, it } from 'vitest';

import { createBitmap, feather, fillPolygon, floodFill, paintSegment } from '../../src-renderer/features/masks/mask-bitmap.js';
import { MaskDocument } from '../../src-renderer/features/masks/mask-document.js';
import { commandForKey } from '../../src-renderer/features/masks/shortcuts.js';
import { IDLE, stepTool, type ToolInput, type ToolName, type ToolState } from '../../src-renderer/features/masks/tools.js';

const settings = { size: 10, hardness: 1 };
const at = (x: number, y: number, type: ToolInput['type'] = 'move', alt = false): ToolInput => ({ type, at: { x, y }, screen: { x: x * 2, y: y * 2 }, alt });

/** Feeds inputs through a tool and carries out its effects on a document, as the editor does. */
function drive(doc: MaskDocument, tool: ToolName, inputs: ToolInput[]): ToolState {
  let state: ToolState = IDLE;
  for (const input of inputs) {
    const step = stepTool(tool, settings, state, input);
    state = step.state;
    for (const e of step.effects) {
      if (e.type === 'begin-stroke') doc.beginStroke();
      if (e.type === 'segment') doc.strokeSegment(e.from, e.to, e.radius, e.hardness, e.value);
      if (e.type === 'commit' && e.action.type === 'stroke') doc.commitStroke(e.action);
      else if (e.type === 'commit') doc.dispatch(e.action);
      if (e.type === 'abort-stroke') doc.abortStroke();
    }
  }
  return state;
}

const px = (doc: MaskDocument, x: number, y: number) => doc.bitmap.data[y * doc.bitmap.width + x];

describe('mask tools', () => {
  it('paints a stroke as one undoable action, erases with the eraser, and undo/redo restore exact pixels', () => {
    const doc = new MaskDocument(64, 48);
    const end = drive(doc, 'brush', [at(10, 10, 'down'), at(20, 10), at(30, 10), at(30, 10, 'up')]);
    expect(end).toEqual(IDLE);
    expect([px(doc, 10, 10), px(doc, 25, 10), px(doc, 30, 12), px(doc, 50, 40)]).toEqual([255, 255, 255, 0]);
    const painted = doc.bitmap.data.slice();
    drive(doc, 'eraser', [at(20, 10, 'down'), at(20, 10, 'up')]);
    expect(px(doc, 20, 10)).toBe(0);
    expect(px(doc, 10, 10)).toBe(255);
    expect(doc.undo()).toBe(true);
    expect(doc.bitmap.data).toEqual(painted);
    expect(doc.undo()).toBe(true);
    expect(doc.bitmap.data.every((v) => v === 0)).toBe(true);
    expect(doc.undo()).toBe(false);
    doc.redo();
    expect(doc.bitmap.data).toEqual(painted);
  });

  it('Alt reverses the brush; cancel gives a stroke up and leaves no history', () => {
    const doc = new MaskDocument(32, 32);
    doc.dispatch({ type: 'invert' });
    drive(doc, 'brush', [at(16, 16, 'down', true), at(16, 16, 'up')]);
    expect(px(doc, 16, 16)).toBe(0);
    const before = doc.bitmap.data.slice();
    drive(doc, 'brush', [at(5, 5, 'down', true), at(8, 8), at(8, 8, 'cancel')]);
    expect(doc.bitmap.data).toEqual(before);
    doc.undo();
    doc.undo();
    expect(doc.bitmap.data.every((v) => v === 0)).toBe(true);
    expect(doc.canUndo).toBe(false);
  });

  it('lasso fills the polygon it drew; fill floods a closed region; pan emits screen deltas', () => {
    const doc = new MaskDocument(40, 40);
    drive(doc, 'lasso', [at(10, 10, 'down'), at(30, 10), at(30, 30), at(10, 30), at(10, 30, 'up')]);
    expect([px(doc, 20, 20), px(doc, 5, 5), px(doc, 35, 20)]).toEqual([255, 0, 0]);
    drive(doc, 'fill', [at(2, 2, 'down'), at(2, 2, 'up')]);
    expect(doc.bitmap.data.every((v) => v === 255)).toBe(true);
    drive(doc, 'fill', [at(20, 20, 'down', true)]);
    expect(doc.bitmap.data.every((v) => v === 0)).toBe(true);
    const pan = stepTool('pan', settings, stepTool('pan', settings, IDLE, at(1, 1, 'down')).state, at(4, 3));
    expect(pan.effects).toEqual([{ type: 'pan', dx: 6, dy: 4 }]);
  });

  it('a lasso of fewer than three points changes nothing; a "load" is not undoable', () => {
    const doc = new MaskDocument(16, 16);
    drive(doc, 'lasso', [at(2, 2, 'down'), at(2, 2, 'up')]);
    expect(doc.canUndo).toBe(false);
    doc.dispatch({ type: 'load', bitmap: createBitmap(16, 16, 255) });
    expect(doc.canUndo).toBe(false);
    expect(doc.unsaved).toBe(false);
  });

  it('soft brushes fade towards the edge; feather softens a hard edge and keeps the mass', () => {
    const b = createBitmap(41, 41);
    paintSegment(b, { x: 20.5, y: 20.5 }, { x: 20.5, y: 20.5 }, 10, 0, 255);
    const centre = b.data[20 * 41 + 20] as number;
    const edge = b.data[20 * 41 + 28] as number;
    expect(centre).toBeGreaterThan(220);
    expect(edge).toBeGreaterThan(0);
    expect(edge).toBeLessThan(centre);
    const hard = createBitmap(40, 40);
    fillPolygon(hard, [{ x: 10, y: 10 }, { x: 30, y: 10 }, { x: 30, y: 30 }, { x: 10, y: 30 }], 255);
    const sum = (d: Uint8Array) => d.reduce((a, v) => a + v, 0);
    const before = sum(hard.data);
    feather(hard, 6);
    expect(hard.data[20 * 40 + 10]).toBeGreaterThan(0);
    expect(hard.data[20 * 40 + 10]).toBeLessThan(255);
    expect(Math.abs(sum(hard.data) - before) / before).toBeLessThan(0.02);
    expect(floodFill(hard, { x: -1, y: 0 }, 255)).toBeNull();
  });

  it('maps keys to commands', () => {
    const k = (key: string, mod: Partial<{ ctrlKey: boolean; shiftKey: boolean }> = {}) => commandForKey({ key, ctrlKey: false, metaKey: false, shiftKey: false, ...mod });
    expect(k('z', { ctrlKey: true })).toEqual({ type: 'undo' });
    expect(k('Z', { ctrlKey: true, shiftKey: true })).toEqual({ type: 'redo' });
    expect(k('l')).toEqual({ type: 'tool', tool: 'lasso' });
    expect(k(']')).toEqual({ type: 'size', by: 1 });
    expect(k('q')).toBeNull();
  });
});
