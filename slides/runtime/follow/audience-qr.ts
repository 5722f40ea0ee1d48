// The audience URL as a QR code on the title slide (only with `serve --audience`): made here,
// in the page, by qrcode-generator (MIT, no dependencies), as an SVG; no service is asked.
import qrcode from 'qrcode-generator';

export function qrSvg(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text, 'Byte');
  qr.make();
  // A quiet zone of 4 modules, as the standard asks; scalable: the box sets its size.
  return qr.createSvgTag({ cellSize: 4, margin: 16, scalable: true, title: `QR code of ${text}` } as unknown as number);
}

/** Fills every `.audience-qr` box: its QR code and the URL written out. */
export function showAudienceQr(url: string, root: ParentNode = document): void {
  for (const box of root.querySelectorAll<HTMLElement>('.audience-qr')) {
    const code = document.createElement('div');
    code.className = 'audience-qr-code';
    code.innerHTML = qrSvg(url);
    const link = document.createElement('a');
    link.className = 'audience-qr-url';
    link.href = url;
    link.textContent = url;
    box.querySelector('.audience-qr-code, .audience-qr-url')?.remove();
    box.append(code, link);
    box.dataset.url = url;
  }
}
