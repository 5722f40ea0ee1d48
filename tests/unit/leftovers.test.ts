// Which processes the sweep takes for a dead instance's, on process tables made up to show
// each rule; and the macOS process table, parsed from lines modelled on ps(1)'s output.
import { describe, it, expect } from 'vitest';
import { findLeftovers, describeSweep, type SweepResult } from '../../server/instance/leftovers.js';
import { markerOwner } from '../../server/instance/demo-instance.js';
import { markerInEnviron, parsePsTable, type ProcessEntry } from '../../server/instance/process-table.js';
import type { InstanceRecord } from '../../server/instance/instance-record.js';

const NONCE = '0123456789abcdef';
const NS = '1234abcd';
const mark = (pid: number, start: string, ns = NS) => `${pid}.${start}.${ns}.${NONCE}`;
const p = (pid: number, ppid: number, start: string, marker?: string): ProcessEntry => ({ pid, ppid, start, zombie: false, marker, command: `cmd${pid}` });
const rec = (owner: { pid: number; start: string }, sessions: { pid: number; start: string }[] = []): InstanceRecord => ({
  version: 1,
  marker: mark(owner.pid, owner.start),
  owner,
  command: 'serve',
  port: 2014,
  startedAt: new Date(2026, 11, 1, 10, 2, 3).toISOString(), // shown in local time
  sessions,
});
const SELF = { pid: 10, marker: undefined, namespace: NS };
const pids = (t: ProcessEntry[], records: InstanceRecord[] = [], self: { pid: number; marker?: string; namespace: string } = SELF) =>
  findLeftovers(t, records, self).flatMap((d) => d.leftovers.map((l) => [l.pid, l.by]));

describe('findLeftovers', () => {
  const dead = mark(500, '900'); // pid 500 is not in the tables below
  it('takes processes whose marker names an owner that is gone, and their descendants', () => {
    const table = [p(1, 0, '1'), p(10, 1, '5'), p(600, 1, '950', dead), p(601, 600, '951', dead), p(700, 601, '960')];
    expect(pids(table)).toEqual([
      [600, 'marker'],
      [601, 'marker'],
      [700, 'descendant'],
    ]);
  });

  it('leaves an instance alone while its owner runs: same pid and same start time', () => {
    const alive = mark(20, '300');
    expect(pids([p(1, 0, '1'), p(20, 1, '300'), p(600, 1, '950', alive)])).toEqual([]);
    // The owner's pid now belongs to a process started at another time: the owner is gone.
    expect(pids([p(1, 0, '1'), p(20, 1, '301'), p(600, 1, '950', alive)])).toEqual([[600, 'marker']]);
  });

  it('never counts an owner of unknown start time as gone', () => {
    expect(pids([p(1, 0, '1'), p(600, 1, '950', mark(500, '?'))])).toEqual([]);
  });

  it('takes a recorded session only with the start time it was recorded with', () => {
    const r = rec({ pid: 500, start: '900' }, [{ pid: 600, start: '950' }]);
    expect(pids([p(1, 0, '1'), p(600, 1, '950'), p(601, 600, '951')], [r])).toEqual([
      [600, 'session'],
      [601, 'descendant'],
    ]);
    expect(pids([p(1, 0, '1'), p(600, 1, '999'), p(601, 600, '1000')], [r])).toEqual([]);
    expect(pids([p(1, 0, '1'), p(600, 1, '950')], [rec({ pid: 500, start: '900' }, [{ pid: 600, start: '?' }])])).toEqual([]);
  });

  it('never takes this process, its ancestors, zombies, or its own instance’s demos', () => {
    const r = rec({ pid: 500, start: '900' }, [{ pid: 10, start: '5' }, { pid: 3, start: '2' }]);
    const zombie = { ...p(601, 1, '951', dead), zombie: true };
    const mine = mark(10, '5');
    const table = [p(1, 0, '1'), p(3, 1, '2'), p(10, 3, '5'), zombie, p(602, 1, '952', mine)];
    expect(pids(table, [r], { pid: 10, marker: mine, namespace: NS })).toEqual([]);
  });

  it('does not take a descendant that carries a live instance’s marker', () => {
    const live = mark(20, '300');
    expect(pids([p(1, 0, '1'), p(20, 1, '300'), p(600, 1, '950', dead), p(601, 600, '951', live)])).toEqual([[600, 'marker']]);
  });

  it('joins a marker and a record of the same dead instance into one, described by its record', () => {
    const r = rec({ pid: 500, start: '900' }, [{ pid: 600, start: '950' }]);
    const found = findLeftovers([p(1, 0, '1'), p(600, 1, '950', r.marker), p(601, 1, '951', r.marker)], [r], SELF);
    expect(found).toHaveLength(1);
    expect(found[0]!.record?.port).toBe(2014);
    expect(found[0]!.leftovers.map((l) => l.pid)).toEqual([600, 601]);
    const said = describeSweep([{ ...found[0]!, ended: found[0]!.leftovers, survived: [] } as SweepResult]);
    expect(said).toEqual([
      'Ended 2 demo processes left by a serve (pid 500, port 2014, started 2026-12-01 10:02) that stopped without ending them:',
      '  600  cmd600',
      '  601  cmd601',
    ]);
  });

  it('leaves the demos of another state folder’s instances to that folder’s sweeps', () => {
    expect(pids([p(1, 0, '1'), p(600, 1, '950', mark(500, '900', 'ffffffff'))])).toEqual([]);
  });

  it('ignores a marker that is not of our making', () => {
    expect(markerOwner('anything')).toBeUndefined();
    expect(markerOwner(mark(12, '34'))).toEqual({ pid: 12, start: '34', namespace: NS });
    expect(pids([p(1, 0, '1'), p(600, 1, '950', '1.2.3')])).toEqual([]);
  });
});

describe('process tables', () => {
  it('finds the marker in /proc/<pid>/environ', () => {
    expect(markerInEnviron(`PATH=/bin\0WIA_INSTANCE=${NONCE}\0HOME=/root\0`)).toBe(NONCE);
    expect(markerInEnviron('PATH=/bin\0XWIA_INSTANCE=1\0')).toBeUndefined();
  });

  it('parses macOS ps -E output: start to the second, the marker from the environment, the command without it', () => {
    const text = [
      '    1     0 Ss   Mon Dec  1 09:00:00 2026     /sbin/launchd',
      `  612     1 S    Mon Dec  1 10:02:03 2026     /usr/bin/python3 tree.py 60 TERM=xterm-256color WIA_INSTANCE=${mark(500, 'Mon_Dec_1_10:00:00_2026')} PATH=/usr/bin`,
      '  613   612 Z    Tue Dec 12 23:59:59 2026     (python3)',
      'garbage',
    ].join('\n');
    expect(parsePsTable(text)).toEqual([
      { pid: 1, ppid: 0, start: 'Mon_Dec_1_09:00:00_2026', zombie: false, marker: undefined, command: '/sbin/launchd' },
      { pid: 612, ppid: 1, start: 'Mon_Dec_1_10:02:03_2026', zombie: false, marker: mark(500, 'Mon_Dec_1_10:00:00_2026'), command: '/usr/bin/python3 tree.py 60' },
      { pid: 613, ppid: 612, start: 'Tue_Dec_12_23:59:59_2026', zombie: true, marker: undefined, command: '(python3)' },
    ]);
    expect(markerOwner(mark(500, 'Mon_Dec_1_10:00:00_2026'))).toEqual({ pid: 500, start: 'Mon_Dec_1_10:00:00_2026', namespace: NS });
  });
});
