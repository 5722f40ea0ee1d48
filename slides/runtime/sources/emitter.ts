// A tiny typed event emitter: enough for sources and widgets, nothing to install.
export type Listener<T> = (value: T) => void;

/** What a listener sees of an emitter: it can listen, not emit. */
export interface Listenable<E extends object> {
  /** Calls `fn` on each `event`; returns what stops it. */
  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void;
}

export class Emitter<E extends object> implements Listenable<E> {
  private readonly listeners = new Map<keyof E, Set<Listener<never>>>();

  on<K extends keyof E>(event: K, fn: Listener<E[K]>): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn as Listener<never>);
    return () => set.delete(fn as Listener<never>);
  }

  protected emit<K extends keyof E>(event: K, value: E[K]): void {
    for (const fn of [...(this.listeners.get(event) ?? [])]) (fn as Listener<E[K]>)(value);
  }

  protected clear(): void {
    this.listeners.clear();
  }
}
