// The WebGL renderer draws fast and crisp on a projector; where WebGL is missing (some VMs,
// headless browsers, old GPUs) or its context is lost, xterm's DOM renderer stays.
//
// A browser holds only about 16 WebGL contexts a page and then drops the oldest, live or
// not; and disposing xterm's WebGL addon does not give its context back (xterm.js #6068:
// it lingers until garbage collection). So a terminal holds a context only while its
// slide is shown, and gives it back explicitly when it is hidden or destroyed.
import type { Terminal } from '@xterm/xterm';
import type { WebglAddon } from '@xterm/addon-webgl';

export type RendererName = 'webgl' | 'dom';

export class TerminalRenderer {
  private webgl: WebglAddon | undefined;
  /** The canvases the WebGL addon added: one holds its context. */
  private canvases: HTMLCanvasElement[] = [];
  /** Counts requests, so a WebGL load that finishes after a release is dropped. */
  private wanted = 0;

  constructor(
    private readonly term: Terminal,
    private readonly changed: (r: RendererName) => void,
  ) {}

  get name(): RendererName {
    return this.webgl ? 'webgl' : 'dom';
  }

  /** Draws with WebGL where it can; resolves to the renderer in use. */
  async useWebgl(): Promise<RendererName> {
    if (this.webgl) return 'webgl';
    const ticket = ++this.wanted;
    try {
      const { WebglAddon } = await import('@xterm/addon-webgl');
      if (ticket !== this.wanted || !this.term.element) return this.name;
      const webgl = new WebglAddon();
      webgl.onContextLoss(() => {
        if (this.webgl !== webgl) return;
        this.webgl = undefined;
        webgl.dispose();
        this.changed('dom');
      });
      const before = new Set(this.canvasesNow());
      this.term.loadAddon(webgl);
      this.webgl = webgl;
      this.canvases = this.canvasesNow().filter((c) => !before.has(c));
    } catch {
      // no WebGL here: the DOM renderer stays
    }
    this.changed(this.name);
    return this.name;
  }

  private canvasesNow(): HTMLCanvasElement[] {
    return [...(this.term.element?.querySelectorAll('canvas') ?? [])];
  }

  /** Back to the DOM renderer, and the WebGL context given back to the browser at once. */
  release(): void {
    this.wanted++;
    const webgl = this.webgl;
    if (!webgl) return;
    this.webgl = undefined;
    // Asked of a canvas that holds a context already, getContext returns that one (or null
    // for a 2D canvas); it creates none.
    const contexts = this.canvases
      .splice(0)
      .map((c) => c.getContext('webgl2'))
      .filter((gl): gl is WebGL2RenderingContext => gl !== null);
    // Dispose first: it removes xterm's context-lost listener, which would ask to restore it.
    webgl.dispose();
    for (const gl of contexts) gl.getExtension('WEBGL_lose_context')?.loseContext();
    this.changed('dom');
  }
}
