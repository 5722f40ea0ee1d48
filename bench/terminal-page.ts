// What the terminal benchmark runs inside the page (bench/terminal.ts), as source text: a
// function serialized by the TypeScript loader could carry its helpers (`__name`) along, which
// the page does not have. It installs `window.__bench` over the widget `#bench-term`:
// its clocks are the page's own (performance.now()), its readings are what xterm.js parsed and
// the frame that drew it.
// `termExpr` names the page's xterm.js Terminal: the deck's widget's, or another page's (a
// terminal server such as wetty, for a comparison in the same harness).
export const pageScript = (termExpr = "document.getElementById('bench-term').liveTerminal.term") => String.raw`
(() => {
  const el = document.getElementById('bench-term');
  const widget = el?.liveTerminal;
  const term = ${termExpr};
  const PROMPT = 'bench$ ';
  const line = (y) => term.buffer.active.getLine(y)?.translateToString(true) ?? '';
  const cursorLine = () => { const b = term.buffer.active; return line(b.baseY + b.cursorY); };
  const aboveCursor = () => { const b = term.buffer.active; return line(b.baseY + b.cursorY - 1); };
  /** When pred() first holds after a write was parsed (checked at once, too). */
  const parsedWhen = (pred) => new Promise((resolve) => {
    if (pred()) return resolve(performance.now());
    const d = term.onWriteParsed(() => {
      if (pred()) { d.dispose(); resolve(performance.now()); }
    });
  });
  // xterm.js draws in the animation frame after a parse (its own callback was queued first),
  // so a callback queued now runs right after the frame that shows what was parsed.
  const drawn = () => new Promise((resolve) => requestAnimationFrame(() => resolve(performance.now())));
  const atPrompt = () => cursorLine() === PROMPT;
  // Keys typed into the terminal, stamped when the page gets them (before xterm.js sees them).
  let lastKeyAt = 0;
  term.textarea.addEventListener('keydown', (ev) => { lastKeyAt = performance.now(); }, true);
  // Counters of the page's side: WebSocket messages in, terminal writes and their bytes.
  // (Every output frame of the socket is one write; the addon acknowledges through the source.)
  const counts = { writes: 0, writeBytes: 0, acks: 0, ackBytes: 0, renders: 0, frames: 0 };
  const write = term.write.bind(term);
  term.write = (data, cb) => { counts.writes++; counts.writeBytes += data.length; return write(data, cb); };
  const source = widget?.source;
  if (source) {
    const ack = source.ack.bind(source);
    source.ack = (n) => { counts.acks++; counts.ackBytes += n; return ack(n); };
  }
  term.onRender(() => counts.renders++);
  const frame = () => { counts.frames++; requestAnimationFrame(frame); };
  requestAnimationFrame(frame);
  window.__bench = {
    counts: () => ({ ...counts }),
    renderer: () => el?.dataset.renderer,
    size: () => ({ cols: term.cols, rows: term.rows }),
    atPrompt: () => parsedWhen(atPrompt),
    /** Runs a command that prints, then its end mark; ms from Enter to the end parsed and drawn. */
    async throughput(command) {
      term.clear();
      const t0 = performance.now();
      term.input(command + '; echo BENCH-$((1+1))END\r', true);
      const parsed = await parsedWhen(() => atPrompt() && aboveCursor() === 'BENCH-2END');
      const painted = await drawn();
      return { parsedMs: parsed - t0, drawnMs: painted - t0 };
    },
    /** The line typed so far, its last key just pressed through the browser: ms from that key until its echo was parsed and drawn. */
    async echo(typed) {
      const parsed = await parsedWhen(() => cursorLine() === PROMPT + typed);
      const keyAt = lastKeyAt;
      const painted = await drawn();
      return { parsedMs: parsed - keyAt, drawnMs: painted - keyAt };
    },
    /** Starts an endless flood; resolves once this many bytes were written to the terminal. */
    async startFlood(command, bytes) {
      const from = counts.writeBytes;
      term.input(command + '\r', true);
      await new Promise((resolve) => {
        const d = term.onWriteParsed(() => { if (counts.writeBytes - from > bytes) { d.dispose(); resolve(); } });
      });
    },
    /** Ctrl-C as the terminal sends it; ms until the prompt is back, parsed and drawn. */
    async interrupt() {
      const t0 = performance.now();
      term.input('\x03', true);
      const parsed = await parsedWhen(atPrompt);
      const painted = await drawn();
      return { parsedMs: parsed - t0, drawnMs: painted - t0 };
    },
  };
})();
`;
