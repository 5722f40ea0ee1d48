// What every command gets from the dispatcher: where the project lives, and its demos,
// read and checked only by the commands that need them.
import type { Registry } from '../registry/registry.js';

export interface CliContext {
  /** The project folder: demos/, slides/, dist/, vite.config.ts. */
  root: string;
  registry(): Promise<Registry>;
}

/** A command resolves with its exit code, or 'serving' when it keeps running until a signal. */
export type CommandRun = (args: string[], ctx: CliContext) => Promise<number | 'serving'> | number | 'serving';
