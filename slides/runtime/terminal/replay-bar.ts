// What a terminal showing a recording adds: where the recording was made, and when the
// source can be controlled (a replay), speed and a seek bar with the time and the steps.
import type { RecordedOn } from '../../../shared/recording.js';
import type { ReplayControls } from '../sources/demo-source.js';

const SPEEDS = [0.5, 1, 2, 4];

function clock(s: number): string {
  return `${Math.floor(s / 60)}:${String(Math.floor(s % 60)).padStart(2, '0')}`;
}

/** "recorded on 2026-11-26 · Debian GNU/Linux 12, 2 cores, 24 GiB, Python 3.11.7" */
export function recordedOnLabel(on: RecordedOn | undefined): string {
  return on ? `recorded on ${on.date.slice(0, 10)} · ${on.os.replace(/ \(.*\)$/, '')}, ${on.machine}, Python ${on.python}` : 'a recording';
}

export class ReplayBar {
  readonly el: HTMLElement;
  private readonly seek: HTMLInputElement | undefined;
  private readonly time: HTMLElement | undefined;
  private frame = 0;

  constructor(
    private readonly replay: ReplayControls | undefined,
    recordedOn: RecordedOn | undefined,
  ) {
    this.el = document.createElement('div');
    this.el.className = 'lt-replay';
    const label = document.createElement('span');
    label.className = 'lt-recorded';
    label.textContent = recordedOnLabel(recordedOn);
    this.el.append(label);
    if (!replay) return;
    const speed = document.createElement('select');
    speed.className = 'lt-speed';
    speed.title = 'Replay speed';
    speed.setAttribute('aria-label', 'Replay speed'); // a title alone names a control only as a tooltip
    for (const s of SPEEDS) speed.add(new Option(`${s}×`, String(s), s === 1, s === 1));
    speed.addEventListener('change', () => replay.setSpeed(Number(speed.value)));
    const seek = (this.seek = document.createElement('input'));
    seek.type = 'range';
    seek.className = 'lt-seek';
    seek.min = '0';
    seek.max = String(replay.duration);
    seek.step = '0.05';
    seek.value = '0';
    seek.title = 'Seek';
    seek.setAttribute('aria-label', 'Seek in the recording');
    seek.addEventListener('input', () => {
      // The range snaps to its step, so its far right can fall short of the end: it means the end.
      const to = Number(seek.value);
      replay.seek(to > replay.duration - Number(seek.step) ? replay.duration : to);
      this.update();
    });
    // Step markers become ticks on the seek bar, and their names show as the replay passes them.
    if (replay.markers.length) {
      const ticks = document.createElement('datalist');
      ticks.id = `lt-steps-${Math.random().toString(36).slice(2)}`;
      for (const m of replay.markers) ticks.append(new Option(m.label, String(m.at)));
      seek.setAttribute('list', ticks.id);
      this.el.append(ticks);
      seek.title = `Steps: ${replay.markers.map((m) => `${clock(m.at)} ${m.label}`).join(' · ')}`;
    }
    this.time = document.createElement('span');
    this.time.className = 'lt-time';
    this.el.prepend(speed, seek, this.time);
    // Keys and clicks here are for the replay, not the deck; once a speed is picked or the seek
    // bar let go, the keys go back to the deck (and a clicker's PageDown/PageUp always do).
    for (const ev of ['click', 'pointerdown'] as const) this.el.addEventListener(ev, (e) => e.stopPropagation());
    this.el.addEventListener('keydown', (e) => {
      if (e.key === 'PageDown' || e.key === 'PageUp') (e.target as HTMLElement).blur?.();
      else e.stopPropagation();
    });
    this.el.addEventListener('change', (e) => {
      if (e.target instanceof HTMLSelectElement) e.target.blur();
    });
    seek.addEventListener('pointerup', () => seek.blur());
    this.update();
  }

  /** Follows the replay's position while it plays. */
  update = (): void => {
    const r = this.replay;
    if (!r || !this.seek || !this.time) return;
    this.seek.value = String(r.position);
    this.seek.setAttribute('aria-valuetext', `${clock(r.position)} of ${clock(r.duration)}`);
    const step = r.markers.filter((m) => m.at <= r.position).at(-1);
    this.time.textContent = `${clock(r.position)} / ${clock(r.duration)}${step ? ` · ${step.label}` : ''}`;
    cancelAnimationFrame(this.frame);
    if (r.playing) this.frame = requestAnimationFrame(this.update);
  };

  destroy(): void {
    cancelAnimationFrame(this.frame);
    this.el.remove();
  }
}
