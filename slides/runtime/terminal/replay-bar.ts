// The controls a replayed terminal adds: speed, a seek bar with the time, and where the
// recording was made.
import type { ReplayControls } from '../sources/source.js';

const SPEEDS = [0.5, 1, 2, 4];

function clock(s: number): string {
  return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

export class ReplayBar {
  readonly el: HTMLElement;
  private readonly seek: HTMLInputElement;
  private readonly time: HTMLElement;
  private frame = 0;

  constructor(private readonly replay: ReplayControls) {
    this.el = document.createElement('div');
    this.el.className = 'lt-replay';
    const speed = document.createElement('select');
    speed.className = 'lt-speed';
    speed.title = 'Replay speed';
    speed.setAttribute('aria-label', 'Replay speed'); // a title alone names a control only as a tooltip
    for (const s of SPEEDS) speed.add(new Option(`${s}×`, String(s), s === 1, s === 1));
    speed.addEventListener('change', () => replay.setSpeed(Number(speed.value)));
    this.seek = document.createElement('input');
    this.seek.type = 'range';
    this.seek.className = 'lt-seek';
    this.seek.min = '0';
    this.seek.max = String(replay.duration);
    this.seek.step = '0.05';
    this.seek.value = '0';
    this.seek.title = 'Seek';
    this.seek.setAttribute('aria-label', 'Seek in the recording');
    this.seek.addEventListener('input', () => {
      replay.seek(Number(this.seek.value));
      this.update();
    });
    // Step markers become ticks on the seek bar, and their names show as the replay passes them.
    if (replay.markers.length) {
      const ticks = document.createElement('datalist');
      ticks.id = `lt-steps-${Math.random().toString(36).slice(2)}`;
      for (const m of replay.markers) ticks.append(new Option(m.label, String(m.t)));
      this.seek.setAttribute('list', ticks.id);
      this.el.append(ticks);
      this.seek.title = `Steps: ${replay.markers.map((m) => `${clock(m.t)} ${m.label}`).join(' · ')}`;
    }
    this.time = document.createElement('span');
    this.time.className = 'lt-time';
    const label = document.createElement('span');
    label.className = 'lt-recorded';
    label.textContent = replay.recordedLabel;
    this.el.prepend(speed, this.seek, this.time, label);
    // Keys and clicks here are for the replay, not the deck.
    for (const ev of ['keydown', 'click', 'pointerdown'] as const) this.el.addEventListener(ev, (e) => e.stopPropagation());
    this.update();
  }

  /** Follows the replay's position while it plays. */
  update = (): void => {
    this.seek.value = String(this.replay.position);
    this.seek.setAttribute('aria-valuetext', `${clock(this.replay.position)} of ${clock(this.replay.duration)}`);
    const step = this.replay.markers.filter((m) => m.t <= this.replay.position).at(-1);
    this.time.textContent = `${clock(this.replay.position)} / ${clock(this.replay.duration)}${step ? ` · ${step.label}` : ''}`;
    cancelAnimationFrame(this.frame);
    if (this.replay.playing) this.frame = requestAnimationFrame(this.update);
  };

  destroy(): void {
    cancelAnimationFrame(this.frame);
  }
}
