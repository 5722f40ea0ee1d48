// Keeps one terminal of a page that follows the presenter (an audience page, the speaker
// view's current-slide pane) on the presenter's run: it watches the terminal's id on the demo
// socket; while a run is on there, a WatchSource under the terminal's id shows it (the
// terminal and its meters follow the registry), and otherwise the slide's own source stays
// (the recording, as the online site shows it). Watched again whenever the socket reopens.
import type { DemoSocket } from '../sources/demo-socket.js';
import type { DemoRequest, DemoSource } from '../sources/demo-source.js';
import type { SourceRegistry } from '../sources/source-registry.js';
import { WatchSource } from '../sources/watch-source.js';

export class TerminalWatch {
  private session: number | undefined;
  private watching: WatchSource | undefined;
  private readonly offOpen: () => void;
  private disposed = false;

  constructor(
    /** The terminal's id: its key in the registry and on the presenter's page. */
    private readonly terminal: string,
    private readonly request: DemoRequest,
    private readonly registry: SourceRegistry,
    private readonly socket: DemoSocket,
  ) {
    this.offOpen = socket.onOpen(() => {
      if (this.session === undefined) this.watch();
    });
    this.watch();
  }

  private watch(): void {
    if (this.disposed) return;
    const id = this.socket.openRun({
      message: (msg) => {
        if (this.session !== id) return;
        if (msg.type === 'attached') return this.show().attached(msg);
        if (msg.type === 'idle') return;
        this.watching?.message(msg);
      },
      output: (bytes) => {
        if (this.session === id) this.watching?.output(bytes);
      },
      lost: () => {
        if (this.session !== id) return;
        this.session = undefined;
        this.watching?.lost();
      },
    });
    this.session = id;
    this.socket.send({ type: 'watch', session: id, terminal: this.terminal });
  }

  /** The WatchSource behind the terminal, put there if the slide's own source is still shown. */
  private show(): WatchSource {
    const current: DemoSource | undefined = this.registry.get(this.terminal);
    if (this.watching && current === this.watching) {
      this.watching.session = this.session;
      return this.watching;
    }
    this.watching = new WatchSource(this.request, this.socket, this.session);
    this.registry.provide(this.terminal, this.watching);
    return this.watching;
  }

  dispose(): void {
    this.disposed = true;
    this.offOpen();
    if (this.session !== undefined) {
      this.socket.send({ type: 'unwatch', session: this.session });
      this.socket.closeRun(this.session);
    }
    this.session = undefined;
    this.watching = undefined;
  }
}
