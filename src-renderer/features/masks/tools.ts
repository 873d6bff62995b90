// The mask tools as small state machines (DESIGN.md §7): each takes its state and one pointer input and returns
// its next state and the effects to carry out on the document or the view. No DOM here: the editor turns
// pointer events into inputs, and the tests drive the machines directly.
import type { Point } from './mask-bitmap.js';
import type { MaskAction } from './mask-document.js';

export const TOOLS = ['brush', 'eraser', 'lasso', 'fill', 'pan'] as const;
export type ToolName = (typeof TOOLS)[number];

export interface ToolSettings {
  /** Brush diameter in image pixels. */
  size: number;
  /** 0 (soft) to 1 (hard edge). */
  hardness: number;
}

export type ToolState =
  | { mode: 'idle' }
  | { mode: 'painting'; points: Point[]; value: 0 | 255 }
  | { mode: 'lassoing'; points: Point[]; value: 0 | 255 }
  | { mode: 'panning'; last: Point };

export interface ToolInput {
  type: 'down' | 'move' | 'up' | 'cancel';
  /** Where, in image pixels. */
  at: Point;
  /** Where, in screen pixels (panning moves by these). */
  screen: Point;
  /** Alt held: brush erases, lasso removes, fill clears. */
  alt?: boolean;
}

export type ToolEffect =
  | { type: 'begin-stroke' }
  | { type: 'segment'; from: Point; to: Point; radius: number; hardness: number; value: 0 | 255 }
  | { type: 'commit'; action: MaskAction }
  | { type: 'abort-stroke' }
  | { type: 'lasso-preview'; points: Point[] | null }
  | { type: 'pan'; dx: number; dy: number };

export interface ToolStep {
  state: ToolState;
  effects: ToolEffect[];
}

export const IDLE: ToolState = { mode: 'idle' };

/** Lasso points closer than this (image pixels) to the previous one are dropped. */
const LASSO_SPACING = 1.5;

export function stepTool(tool: ToolName, settings: ToolSettings, state: ToolState, input: ToolInput): ToolStep {
  if (input.type === 'cancel') {
    if (state.mode === 'painting') return { state: IDLE, effects: [{ type: 'abort-stroke' }] };
    if (state.mode === 'lassoing') return { state: IDLE, effects: [{ type: 'lasso-preview', points: null }] };
    return { state: IDLE, effects: [] };
  }
  const radius = settings.size / 2;
  switch (state.mode) {
    case 'idle': {
      if (input.type !== 'down') return { state, effects: [] };
      if (tool === 'pan') return { state: { mode: 'panning', last: input.screen }, effects: [] };
      if (tool === 'fill') return { state, effects: [{ type: 'commit', action: { type: 'fill', at: input.at, value: input.alt ? 0 : 255 } }] };
      if (tool === 'lasso') {
        const points = [input.at];
        return { state: { mode: 'lassoing', points, value: input.alt ? 0 : 255 }, effects: [{ type: 'lasso-preview', points }] };
      }
      const value: 0 | 255 = (tool === 'eraser') !== Boolean(input.alt) ? 0 : 255;
      return {
        state: { mode: 'painting', points: [input.at], value },
        effects: [{ type: 'begin-stroke' }, { type: 'segment', from: input.at, to: input.at, radius, hardness: settings.hardness, value }],
      };
    }
    case 'painting': {
      const last = state.points[state.points.length - 1] as Point;
      if (input.type === 'move') {
        return { state: { ...state, points: [...state.points, input.at] }, effects: [{ type: 'segment', from: last, to: input.at, radius, hardness: settings.hardness, value: state.value }] };
      }
      if (input.type === 'up') {
        return { state: IDLE, effects: [{ type: 'commit', action: { type: 'stroke', points: state.points, radius, hardness: settings.hardness, value: state.value } }] };
      }
      return { state, effects: [] };
    }
    case 'lassoing': {
      if (input.type === 'move') {
        const last = state.points[state.points.length - 1] as Point;
        if (Math.hypot(input.at.x - last.x, input.at.y - last.y) < LASSO_SPACING) return { state, effects: [] };
        const points = [...state.points, input.at];
        return { state: { ...state, points }, effects: [{ type: 'lasso-preview', points }] };
      }
      if (input.type === 'up') {
        const effects: ToolEffect[] = [{ type: 'lasso-preview', points: null }];
        if (state.points.length >= 3) effects.push({ type: 'commit', action: { type: 'lasso', points: state.points, value: state.value } });
        return { state: IDLE, effects };
      }
      return { state, effects: [] };
    }
    case 'panning': {
      if (input.type === 'move') return { state: { mode: 'panning', last: input.screen }, effects: [{ type: 'pan', dx: input.screen.x - state.last.x, dy: input.screen.y - state.last.y }] };
      if (input.type === 'up') return { state: IDLE, effects: [] };
      return { state, effects: [] };
    }
  }
}
