// The WebGL renderer draws fast and crisp on a projector; where WebGL is missing (some
// VMs, headless browsers, old GPUs) or its context is lost, xterm's DOM renderer stays.
import type { Terminal } from '@xterm/xterm';

export type RendererName = 'webgl' | 'dom';

export async function useBestRenderer(term: Terminal, onChange: (r: RendererName) => void): Promise<RendererName> {
  try {
    const { WebglAddon } = await import('@xterm/addon-webgl');
    const webgl = new WebglAddon();
    webgl.onContextLoss(() => {
      webgl.dispose();
      onChange('dom');
    });
    term.loadAddon(webgl);
    return 'webgl';
  } catch {
    return 'dom';
  }
}
