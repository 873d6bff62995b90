// The mask being edited and its history. Every change is an action: strokes, lasso, fill, feather and invert
// are undoable and stored as the rectangle they changed (before and after), so history costs what was edited,
// not a copy of the mask per step; "load" (a saved version opened) is not undoable and starts a new history.
import { createBitmap, feather, fillPolygon, floodFill, invert, paintSegment, readRect, unionRect, writeRect, type Bitmap, type Point, type Rect } from './mask-bitmap.js';

export type MaskAction =
  | { type: 'stroke'; points: Point[]; radius: number; hardness: number; value: 0 | 255 }
  | { type: 'lasso'; points: Point[]; value: 0 | 255 }
  | { type: 'fill'; at: Point; value: 0 | 255 }
  | { type: 'feather'; radius: number }
  | { type: 'invert' }
  | { type: 'load'; bitmap: Bitmap };

export const UNDOABLE: Record<MaskAction['type'], boolean> = { stroke: true, lasso: true, fill: true, feather: true, invert: true, load: false };

interface Patch {
  action: Exclude<MaskAction, { type: 'load' }>;
  rect: Rect;
  before: Uint8Array;
  after: Uint8Array;
}

const MAX_HISTORY = 100;

export class MaskDocument {
  bitmap: Bitmap;
  private undoStack: Patch[] = [];
  private redoStack: Patch[] = [];
  /** The mask before the stroke in progress, and what the stroke has touched so far. */
  private live: { base: Uint8Array; rect: Rect | null } | null = null;
  /** Bumped on every change, so a view knows to redraw; `dirty` is the rectangle to redraw. */
  revision = 0;
  dirty: Rect | null = null;
  private savedRevision = 0;

  constructor(width: number, height: number) {
    this.bitmap = createBitmap(width, height);
  }

  get canUndo(): boolean {
    return this.undoStack.length > 0;
  }

  get canRedo(): boolean {
    return this.redoStack.length > 0;
  }

  get unsaved(): boolean {
    return this.revision !== this.savedRevision;
  }

  markSaved(): void {
    this.savedRevision = this.revision;
  }

  private changed(rect: Rect | null): void {
    this.revision++;
    this.dirty = unionRect(this.dirty, rect);
  }

  /** Starts a stroke drawn segment by segment (the view shows it as it goes); commitStroke records it. */
  beginStroke(): void {
    this.live = { base: this.bitmap.data.slice(), rect: null };
  }

  strokeSegment(from: Point, to: Point, radius: number, hardness: number, value: 0 | 255): void {
    if (!this.live) this.beginStroke();
    const rect = paintSegment(this.bitmap, from, to, radius, hardness, value);
    (this.live as { rect: Rect | null }).rect = unionRect(this.live?.rect ?? null, rect);
    this.changed(rect);
  }

  commitStroke(action: Extract<MaskAction, { type: 'stroke' }>): void {
    const live = this.live;
    this.live = null;
    if (!live?.rect) return;
    this.push({ action, rect: live.rect, before: readRect({ ...this.bitmap, data: live.base }, live.rect), after: readRect(this.bitmap, live.rect) });
  }

  /** A stroke given up (Escape, pointer lost): the mask goes back to how it was. */
  abortStroke(): void {
    const live = this.live;
    this.live = null;
    if (!live?.rect) return;
    writeRect(this.bitmap, live.rect, readRect({ ...this.bitmap, data: live.base }, live.rect));
    this.changed(live.rect);
  }

  dispatch(action: MaskAction): void {
    if (action.type === 'load') {
      this.bitmap = { ...action.bitmap, data: action.bitmap.data.slice() };
      this.undoStack = [];
      this.redoStack = [];
      this.dirty = null;
      this.changed({ x: 0, y: 0, w: this.bitmap.width, h: this.bitmap.height });
      this.savedRevision = this.revision;
      return;
    }
    if (action.type === 'stroke') {
      this.beginStroke();
      const pts = action.points;
      for (let i = 0; i < pts.length; i++) this.strokeSegment(pts[Math.max(0, i - 1)] as Point, pts[i] as Point, action.radius, action.hardness, action.value);
      this.commitStroke(action);
      return;
    }
    const base = this.bitmap.data.slice();
    const rect = action.type === 'lasso' ? fillPolygon(this.bitmap, action.points, action.value)
      : action.type === 'fill' ? floodFill(this.bitmap, action.at, action.value)
      : action.type === 'feather' ? feather(this.bitmap, action.radius)
      : invert(this.bitmap);
    if (!rect) return;
    this.push({ action, rect, before: readRect({ ...this.bitmap, data: base }, rect), after: readRect(this.bitmap, rect) });
    this.changed(rect);
  }

  private push(patch: Patch): void {
    this.undoStack.push(patch);
    if (this.undoStack.length > MAX_HISTORY) this.undoStack.shift();
    this.redoStack = [];
  }

  undo(): boolean {
    const patch = this.undoStack.pop();
    if (!patch) return false;
    writeRect(this.bitmap, patch.rect, patch.before);
    this.redoStack.push(patch);
    this.changed(patch.rect);
    return true;
  }

  redo(): boolean {
    const patch = this.redoStack.pop();
    if (!patch) return false;
    writeRect(this.bitmap, patch.rect, patch.after);
    this.undoStack.push(patch);
    this.changed(patch.rect);
    return true;
  }

  /** Takes the rectangle changed since the last call (for the view to redraw). */
  takeDirty(): Rect | null {
    const dirty = this.dirty;
    this.dirty = null;
    return dirty;
  }
}
