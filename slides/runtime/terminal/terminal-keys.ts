// Who has the keyboard: the deck, always, unless the presenter clicked into a terminal whose
// live run reads the keyboard. Then what is typed goes to the program, until Esc, the run's
// end, Run, Stop or leaving the slide gives the keys back. A clicker's keys (PageDown,
// PageUp) always change the slide, even from inside a terminal. The element says when the
// terminal has the keyboard (data-keyboard="terminal"), and the CSS shows it.
import type { Terminal } from '@xterm/xterm';

export class TerminalKeys {
  private readonly textarea: HTMLTextAreaElement | undefined;
  private readonly undo: (() => void)[] = [];

  constructor(
    private readonly term: Terminal,
    private readonly el: HTMLElement,
    /** Whether typing would reach a program now (a live run is on). */
    private readonly takesKeys: () => boolean,
  ) {
    this.textarea = term.textarea;
    term.attachCustomKeyEventHandler((ev) => {
      if (ev.type !== 'keydown') return true;
      if (ev.key === 'PageDown' || ev.key === 'PageUp') {
        // Given back first, the key goes on to reveal.js (it ignores keys typed into a textarea).
        this.release();
        return false;
      }
      if (ev.key === 'Escape') {
        ev.stopPropagation(); // it leaves the terminal; it does not also open the overview
        this.release();
        return false;
      }
      return true;
    });
    const focus = () => {
      if (!this.takesKeys()) {
        // A replay, or nothing running: a click here leaves the keys with the deck.
        this.release();
        return;
      }
      el.dataset.keyboard = 'terminal';
    };
    const blur = () => delete el.dataset.keyboard;
    this.textarea?.addEventListener('focus', focus);
    this.textarea?.addEventListener('blur', blur);
    this.undo.push(
      () => this.textarea?.removeEventListener('focus', focus),
      () => this.textarea?.removeEventListener('blur', blur),
    );
  }

  get hasKeyboard(): boolean {
    return this.textarea !== undefined && document.activeElement === this.textarea;
  }

  /** The keys go back to the deck. */
  release(): void {
    if (this.hasKeyboard) this.term.blur();
    delete this.el.dataset.keyboard;
  }

  dispose(): void {
    this.release();
    for (const off of this.undo.splice(0)) off();
  }
}
