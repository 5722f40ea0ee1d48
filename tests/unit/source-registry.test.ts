// The page's sources by terminal id: a follower may come before its source, follows a source
// swapped in under the same id (a fail-over to the recording), and is let go when it goes.
import { describe, it, expect } from 'vitest';
import { SourceRegistry } from '../../slides/runtime/sources/source-registry.js';
import { SourceBase, type DemoSource } from '../../slides/runtime/sources/demo-source.js';

class NamedSource extends SourceBase implements DemoSource {
  readonly provenance = { kind: 'live' } as const;
  readonly controls = undefined;
  readonly acceptsInput = true;
  disposed = false;
  constructor(readonly name: string) {
    super({ demo: name });
  }
  ready = () => Promise.resolve();
  unavailable = () => Promise.resolve(undefined);
  start(): void {}
  stop(): void {}
  input(): void {}
  resize(): void {}
  ack(): void {}
  override dispose(): void {
    this.disposed = true;
    super.dispose();
  }
}

describe('the source registry', () => {
  it('binds a follower to the source behind an id, now or when it comes, and to each one that replaces it', () => {
    const registry = new SourceRegistry();
    const log: string[] = [];
    const follower = (who: string) => (s: DemoSource) => {
      log.push(`${who} bound to ${s.request.demo}`);
      return () => log.push(`${who} unbound from ${s.request.demo}`);
    };
    const stopEarly = registry.follow('t', follower('meter')); // before the terminal is there
    expect(log).toEqual([]);
    const live = new NamedSource('live');
    registry.provide('t', live);
    registry.follow('t', follower('chat'));
    expect(log).toEqual(['meter bound to live', 'chat bound to live']);
    // The live run failed: its recording takes its place, under the same widgets.
    const replay = new NamedSource('replay');
    registry.provide('t', replay);
    expect(log.slice(2)).toEqual(['meter unbound from live', 'chat unbound from live', 'meter bound to replay', 'chat bound to replay']);
    expect(live.disposed).toBe(true);
    expect(registry.get('t')).toBe(replay);
    stopEarly();
    expect(log.at(-1)).toBe('meter unbound from replay');
    // The terminal goes: its source is disposed, the followers left are let go.
    registry.remove('t');
    expect(log.at(-1)).toBe('chat unbound from replay');
    expect(replay.disposed).toBe(true);
    expect(registry.get('t')).toBeUndefined();
  });

  it('keeps ids apart', () => {
    const registry = new SourceRegistry();
    const a = new NamedSource('a');
    registry.provide('a', a);
    registry.provide('b', new NamedSource('b'));
    const seen: string[] = [];
    registry.follow('a', (s) => (seen.push(s.request.demo), () => {}));
    registry.remove('b');
    expect(seen).toEqual(['a']);
    expect(a.disposed).toBe(false);
  });
});
