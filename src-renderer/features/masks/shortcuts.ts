// The editor's keyboard shortcuts, as data: the toolbar shows them and the key handler reads them.
import type { ToolName } from './tools.js';

export type EditorCommand =
  | { type: 'tool'; tool: ToolName }
  | { type: 'undo' }
  | { type: 'redo' }
  | { type: 'save' }
  | { type: 'invert' }
  | { type: 'feather' }
  | { type: 'size'; by: number }
  | { type: 'hardness'; by: number }
  | { type: 'zoom'; by: number }
  | { type: 'fit' };

export const TOOL_KEYS: Record<ToolName, string> = { brush: 'B', eraser: 'E', lasso: 'L', fill: 'G', pan: 'H' };

export function commandForKey(e: { key: string; ctrlKey: boolean; metaKey: boolean; shiftKey: boolean }): EditorCommand | null {
  const mod = e.ctrlKey || e.metaKey;
  const key = e.key.toLowerCase();
  if (mod && key === 'z') return e.shiftKey ? { type: 'redo' } : { type: 'undo' };
  if (mod && key === 'y') return { type: 'redo' };
  if (mod && key === 's') return { type: 'save' };
  if (mod) return null;
  for (const [tool, k] of Object.entries(TOOL_KEYS)) if (key === k.toLowerCase()) return { type: 'tool', tool: tool as ToolName };
  if (key === 'i') return { type: 'invert' };
  if (key === 'f') return { type: 'feather' };
  if (e.key === '[' || e.key === '{') return e.shiftKey ? { type: 'hardness', by: -0.1 } : { type: 'size', by: -1 };
  if (e.key === ']' || e.key === '}') return e.shiftKey ? { type: 'hardness', by: 0.1 } : { type: 'size', by: 1 };
  if (e.key === '+' || e.key === '=') return { type: 'zoom', by: 1.25 };
  if (e.key === '-') return { type: 'zoom', by: 0.8 };
  if (e.key === '0') return { type: 'fit' };
  return null;
}
