// Which machine a recording was made on: shown as "recorded on …" beside every replay.
import os from 'node:os';
import { readFileSync } from 'node:fs';
import type { RecordedOn } from '../../shared/recording.js';
import { findPython } from '../registry/python.js';

function osName(): string {
  try {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    if (pretty) return `${pretty} (${os.type()} ${os.release()})`;
  } catch {
    // not Linux, or no os-release
  }
  return `${os.type()} ${os.release()}`;
}

export function recordedOn(): RecordedOn {
  const py = findPython();
  return {
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
    os: osName(),
    cpu: os.cpus()[0]?.model.trim() ?? 'unknown',
    cores: os.cpus().length,
    memoryBytes: os.totalmem(),
    python: py.ok ? py.version : 'missing',
    node: process.versions.node,
    date: new Date().toISOString(),
  };
}
