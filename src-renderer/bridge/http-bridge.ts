// The contract over the studio server, for the same bundle opened in a browser: POST api/<method> with JSON
// params → {result} or {code, message, hint}; events on the WebSocket api/events, one ApiEvent per message,
// reconnecting with backoff. The access token travels in the server's HttpOnly cookie (set by visiting the
// printed ?token=… address); a token in the page's address (#token=…) is sent as a Bearer header instead.
import { fromErrorBody, isApiEventType, type ApiEvent, type ApiEvents, type ApiEventType, type ApiMethod, type ApiParams, type ApiResult, type StudioBridge } from '../../src-main/common/api/index.js';

export type ConnectionState = 'connecting' | 'open' | 'closed';

type Listener = (event: ApiEvent) => void;

export class HttpBridge implements StudioBridge {
  private readonly listeners = new Map<ApiEventType, Set<Listener>>();
  private readonly connectionListeners = new Set<(state: ConnectionState) => void>();
  private socket: WebSocket | null = null;
  private retry = 0;
  private state: ConnectionState = 'connecting';

  constructor(
    private readonly base: URL,
    private readonly token: string | null,
  ) {}

  private headers(type: string): Record<string, string> {
    return { 'Content-Type': type, ...(this.token ? { Authorization: `Bearer ${this.token}` } : {}) };
  }

  async call<M extends ApiMethod>(method: M, params: ApiParams<M>): Promise<ApiResult<M>> {
    let response: Response;
    try {
      response = await fetch(new URL(`api/${method}`, this.base), { method: 'POST', credentials: 'same-origin', headers: this.headers('application/json'), body: JSON.stringify(params) });
    } catch {
      throw fromErrorBody({ code: 'unavailable', message: 'the studio did not answer', hint: 'Check that `magicapture serve` is still running, then try again.' }, '');
    }
    const body = (await response.json().catch(() => null)) as { result?: unknown } | null;
    if (!response.ok || body === null || !('result' in body)) throw fromErrorBody(body, `the studio answered ${response.status} to ${method}`);
    return body.result as ApiResult<M>;
  }

  /** A browser's file, stored in the server's staging area for photos.import { uploads }. */
  async upload(file: Blob): Promise<{ sha256: string; size: number }> {
    const response = await fetch(new URL('files', this.base), { method: 'POST', credentials: 'same-origin', headers: this.headers('application/octet-stream'), body: file });
    const body = (await response.json().catch(() => null)) as { result?: { sha256: string; size: number } } | null;
    if (!response.ok || !body?.result) throw fromErrorBody(body, `the studio refused the upload (${response.status})`);
    return body.result;
  }

  on<E extends ApiEventType>(event: E, listener: (event: ApiEvents[E]) => void): () => void {
    const set = this.listeners.get(event) ?? new Set<Listener>();
    set.add(listener as Listener);
    this.listeners.set(event, set);
    this.connect();
    return () => set.delete(listener as Listener);
  }

  onConnection(listener: (state: ConnectionState) => void): () => void {
    this.connectionListeners.add(listener);
    listener(this.state);
    this.connect();
    return () => this.connectionListeners.delete(listener);
  }

  private setState(state: ConnectionState): void {
    this.state = state;
    for (const listener of this.connectionListeners) listener(state);
  }

  private connect(): void {
    if (this.socket) return;
    const url = new URL('api/events', this.base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    const socket = new WebSocket(url);
    this.socket = socket;
    socket.onopen = () => {
      this.retry = 0;
      this.setState('open');
    };
    socket.onmessage = (message) => {
      let event: ApiEvent;
      try {
        event = JSON.parse(String(message.data)) as ApiEvent;
      } catch {
        return;
      }
      if (!isApiEventType(event.type)) return;
      for (const listener of this.listeners.get(event.type) ?? []) {
        try {
          listener(event);
        } catch (error) {
          console.error('[studio] an event listener failed:', error);
        }
      }
    };
    socket.onclose = () => {
      this.socket = null;
      this.setState('closed');
      // Backoff 0.5 s, 1 s, 2 s … 10 s: a restarted server is found again without hammering a stopped one.
      const delay = Math.min(10_000, 500 * 2 ** this.retry++);
      setTimeout(() => this.connect(), delay);
    };
  }
}
