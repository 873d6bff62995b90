// Messages to the photographer: errors always say what happened and what to do (the API's hint).
import { useSyncExternalStore } from 'react';

export interface Toast {
  id: number;
  kind: 'error' | 'info' | 'success';
  title: string;
  message: string;
  hint: string;
}

let toasts: readonly Toast[] = [];
let nextId = 1;
const listeners = new Set<() => void>();

function publish(next: readonly Toast[]): void {
  toasts = next;
  for (const listener of listeners) listener();
}

export function toast(kind: Toast['kind'], title: string, message = '', hint = ''): void {
  const id = nextId++;
  publish([...toasts, { id, kind, title, message, hint }].slice(-5));
  if (kind !== 'error') setTimeout(() => dismissToast(id), 5000);
}

/** An API error (or anything thrown) as an error toast with its hint. */
export function toastError(title: string, error: unknown): void {
  const e = (typeof error === 'object' && error !== null ? error : {}) as { message?: unknown; hint?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(error);
  const hint = typeof e.hint === 'string' && e.hint !== '' ? e.hint : 'Try again; if it keeps failing, the studio log has the details.';
  toast('error', title, message, hint);
}

export function dismissToast(id: number): void {
  publish(toasts.filter((t) => t.id !== id));
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useToasts(): readonly Toast[] {
  return useSyncExternalStore(subscribe, () => toasts);
}
