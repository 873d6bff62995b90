// The event stream: a WebSocket at /api/events carries every ApiEvent as one JSON text message. The upgrade is
// checked like a request (Host, Origin, token) before the socket opens. Progress events are dropped for a
// socket that is not keeping up; state changes never are.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';

import { WebSocketServer, type WebSocket } from 'ws';

import type { ApiError } from '../../common/api/errors.js';
import type { ApiEvent } from '../../common/api/events.js';
import type { ApiDispatcher } from '../api/dispatcher.js';

const SLOW_CLIENT_BYTES = 1 << 20;
const PING_MS = 30_000;

export class EventsSocket {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private readonly unsubscribe: () => void;
  private readonly alive = new WeakSet<WebSocket>();
  private readonly ping: NodeJS.Timeout;

  constructor(dispatcher: ApiDispatcher) {
    this.unsubscribe = dispatcher.on((event) => this.broadcast(event));
    this.wss.on('connection', (socket) => {
      this.alive.add(socket);
      socket.on('pong', () => this.alive.add(socket));
      // The stream is one-way: anything a page sends is ignored.
      socket.on('message', () => undefined);
      socket.on('error', () => socket.terminate());
    });
    this.ping = setInterval(() => {
      for (const socket of this.wss.clients) {
        if (!this.alive.has(socket)) socket.terminate();
        else {
          this.alive.delete(socket);
          socket.ping();
        }
      }
    }, PING_MS).unref();
  }

  /** Opens the socket, or answers the refusal as plain HTTP on the raw connection. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, refusal: ApiError | undefined): void {
    if (refusal) {
      const body = JSON.stringify(refusal.toJSON());
      socket.end(`HTTP/1.1 ${refusal.status} ${refusal.code}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => this.wss.emit('connection', ws, req));
  }

  get clients(): number {
    return this.wss.clients.size;
  }

  close(): Promise<void> {
    this.unsubscribe();
    clearInterval(this.ping);
    for (const socket of this.wss.clients) socket.close(1001, 'the studio is closing');
    return new Promise((resolve) => this.wss.close(() => resolve()));
  }

  private broadcast(event: ApiEvent): void {
    const text = JSON.stringify(event);
    for (const socket of this.wss.clients) {
      if (socket.readyState !== socket.OPEN) continue;
      if (event.type === 'job-progress' && socket.bufferedAmount > SLOW_CLIENT_BYTES) continue;
      socket.send(text);
    }
  }
}
