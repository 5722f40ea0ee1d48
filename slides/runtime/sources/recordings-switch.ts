// The deck-wide switch for a venue where live demos fail: every terminal plays its recording
// instead of running, for the rest of the talk (kept across reloads of the tab), until the
// presenter switches back. Only for a page that runs demos live; the static site always replays.
const KEY = 'what-is-async.demos';

type Listener = (recordings: boolean) => void;
const listeners = new Set<Listener>();

function read(): boolean {
  try {
    return sessionStorage.getItem(KEY) === 'recordings';
  } catch {
    return false;
  }
}

let on = typeof sessionStorage === 'undefined' ? false : read();

/** Whether every terminal plays its recording now. */
export function allRecordings(): boolean {
  return on;
}

export function setAllRecordings(value: boolean): void {
  if (value === on) return;
  on = value;
  try {
    if (on) sessionStorage.setItem(KEY, 'recordings');
    else sessionStorage.removeItem(KEY);
  } catch {
    // storage blocked: the switch holds until a reload
  }
  for (const l of [...listeners]) l(on);
}

export function toggleAllRecordings(): boolean {
  setAllRecordings(!on);
  return on;
}

/** Calls `listener` on each change; returns what stops it. */
export function onAllRecordings(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}
