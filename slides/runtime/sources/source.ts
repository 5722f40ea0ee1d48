// What a terminal or meter widget consumes. A source is live (the demo server) or, later,
// a replay of a recording; widgets never know which.
import type { StartedMessage, ExitMessage, MetricsMessage } from '../../../shared/wire.js';

export interface SourceEvents {
  started: StartedMessage;
  output: Uint8Array;
  exit: ExitMessage;
  metrics: MetricsMessage;
  /** A problem worth showing: the demo refused to start, or the server went away. */
  error: string;
  /** A replay jumped: clear the screen and meters; what happened up to the new point follows. */
  reset: void;
}

export type Listener<T> = (value: T) => void;

/** A tiny typed event emitter: enough for widgets, nothing to install. */
export class Emitter<E extends object> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  emit<K extends keyof E>(event: K, value: E[K]): void {
    for (const fn of this.listeners.get(event) ?? []) (fn as Listener<E[K]>)(value);
  }

  clear(): void {
    this.listeners.clear();
  }
}

export interface DemoRequest {
  demo: string;
  variant?: string | undefined;
  params?: Record<string, number | boolean | string> | undefined;
}

/** What a replay offers beyond a live source: play/pause, speed, seek, and where it came from. */
export interface ReplayControls {
  readonly duration: number;
  readonly position: number;
  readonly playing: boolean;
  readonly speed: number;
  /** The recording's step markers (asciicast "m" events): moments worth jumping to. */
  readonly markers: { t: number; label: string }[];
  /** "recorded on 2026-11-26, Debian 12, 2 cores, Python 3.11.7" */
  readonly recordedLabel: string;
  pause(): void;
  resume(): void;
  setSpeed(speed: number): void;
  seek(seconds: number): void;
}

export interface DemoSource extends Emitter<SourceEvents> {
  /** Present on replays, once loaded. */
  readonly replay?: ReplayControls | undefined;
  /** Loads what the source needs before the first start (a replay's files); live sources are ready at once. */
  ready(): Promise<void>;
  start(size: { cols: number; rows: number }): void;
  stop(): void;
  input(data: string): void;
  resize(cols: number, rows: number): void;
  /** The widget has drawn `bytes` more bytes of output: lets the server send more. */
  ack(bytes: number): void;
  dispose(): void;
  /** Resolves to a plain message when this source cannot run its demo (e.g. not there yet). */
  unavailable(): Promise<string | undefined>;
}
