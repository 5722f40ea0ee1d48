// Finds a demo's declared steps (demo.json "steps") in its output: each step once, at the
// first whole line that matches it. A DemoRun emits each as a marker event: pages name the
// moment, the recorder marks it in a recording, and `compare` moves on once the last one has
// shown that the demo's point is made.
export interface StepSpec {
  match: string;
  label: string;
}

export interface StepSeen {
  label: string;
  /** The demo's last declared step: its point is made. */
  last: boolean;
}

export class StepMarkers {
  private partial = '';
  private readonly steps: { re: RegExp; label: string; seen: boolean; last: boolean }[];

  constructor(steps: readonly StepSpec[]) {
    this.steps = steps.map((st, i) => ({ re: new RegExp(st.match), label: st.label, seen: false, last: i === steps.length - 1 }));
  }

  /** Feeds decoded output; returns the steps it completed, in the order their lines came. */
  feed(text: string): StepSeen[] {
    const lines = (this.partial + text).split(/\r?\n/);
    this.partial = lines.pop() ?? '';
    const seen: StepSeen[] = [];
    for (const line of lines) {
      for (const st of this.steps) {
        if (!st.seen && st.re.test(line)) {
          st.seen = true;
          seen.push({ label: st.label, last: st.last });
        }
      }
    }
    return seen;
  }
}
