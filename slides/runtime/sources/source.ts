// What a terminal or meter widget consumes. A source is live (the demo server) or, later,
// a replay of a recording; widgets never know which.
import type { StartedMessage, ExitMessage, MetricsMessage } from '../../../server/protocol/protocol.js';

export interface SourceEvents {
  started: StartedMessage;
  output: Uint8Array;
  exit: ExitMessage;
  metrics: MetricsMessage;
  /** A problem worth showing: the demo refused to start, or the server went away. */
  error: string;
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

export interface DemoSource extends Emitter<SourceEvents> {
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
