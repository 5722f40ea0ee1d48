// Everything the server sends to one page goes through here, so what waits in the process for
// a slow or stalled page is bounded by what the socket really has queued (ws's bufferedAmount),
// not by what the page claims to have drawn. Above HIGH the page's PTYs are paused until the
// queue drains below LOW; samples that a newer one supersedes are skipped meanwhile; and a page
// that lets MAX_UNREAD pile up (it stopped reading but keeps sending) is disconnected.
import type { WebSocket } from 'ws';

export const SOCKET_HIGH_WATER = 256 * 1024;
export const SOCKET_LOW_WATER = 64 * 1024;
export const MAX_UNREAD = 1024 * 1024;

export interface SocketSenderOptions {
  /** Thresholds, when not the page's (an audience page is allowed less: there may be hundreds). */
  highWater?: number;
  lowWater?: number;
  maxUnread?: number;
  /** Called with true when the page's queue passes HIGH, with false when it has drained. */
  onCongestion: (congested: boolean) => void;
  /** Called once when the page is disconnected for not reading. */
  onOverrun: (queued: number) => void;
}

export class SocketSender {
  private congested = false;
  private overrun = false;
  private readonly high: number;
  private readonly low: number;
  private readonly most: number;

  constructor(
    private readonly ws: WebSocket,
    private readonly opts: SocketSenderOptions,
  ) {
    this.high = opts.highWater ?? SOCKET_HIGH_WATER;
    this.low = opts.lowWater ?? SOCKET_LOW_WATER;
    this.most = opts.maxUnread ?? MAX_UNREAD;
  }

  get isCongested(): boolean {
    return this.congested;
  }

  /** Bytes waiting in this process to be written to the page's socket. */
  get queued(): number {
    return this.ws.bufferedAmount;
  }

  /**
   * Sends a frame. A `droppable` one (a resource sample) is skipped while the page is behind.
   * Returns whether it was sent.
   */
  send(data: string | Uint8Array, droppable = false): boolean {
    if (this.overrun || this.ws.readyState !== this.ws.OPEN) return false;
    if (droppable && this.congested) return false;
    this.ws.send(data, () => this.check());
    this.check();
    return true;
  }

  private check(): void {
    const queued = this.ws.bufferedAmount;
    if (queued > this.most && !this.overrun) {
      this.overrun = true;
      this.ws.terminate();
      this.opts.onOverrun(queued);
      return;
    }
    if (!this.congested && queued > this.high) {
      this.congested = true;
      this.opts.onCongestion(true);
    } else if (this.congested && queued < this.low) {
      this.congested = false;
      this.opts.onCongestion(false);
    }
  }
}
