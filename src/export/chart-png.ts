/**
 * Renders a chart's SVG (recharts draws SVG) to a PNG at twice its size, on white, with a title on top. Uses only
 * the platform: XMLSerializer, an Image and a canvas.
 */
export async function chartToPng(svg: SVGSVGElement, title: string): Promise<Blob> {
  const { width, height } = svg.getBoundingClientRect();
  const clone = svg.cloneNode(true) as SVGSVGElement;
  clone.setAttribute('xmlns', 'http://www.w3.org/2000/svg');
  clone.setAttribute('width', String(width));
  clone.setAttribute('height', String(height));
  // Text takes the page's font only if it is written into the SVG.
  clone.setAttribute('style', `font-family: ${getComputedStyle(svg).fontFamily}; font-size: 12px`);
  const url = URL.createObjectURL(new Blob([new XMLSerializer().serializeToString(clone)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const scale = 2;
    const titleHeight = 28;
    const canvas = document.createElement('canvas');
    canvas.width = Math.ceil(width * scale);
    canvas.height = Math.ceil((height + titleHeight) * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2D canvas');
    ctx.scale(scale, scale);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height + titleHeight);
    ctx.fillStyle = '#1f2937';
    ctx.font = '600 14px system-ui, sans-serif';
    ctx.fillText(title, 8, 19);
    ctx.drawImage(img, 0, titleHeight, width, height);
    return await new Promise<Blob>((resolve, reject) => canvas.toBlob((b) => (b ? resolve(b) : reject(new Error('PNG encoding failed'))), 'image/png'));
  } finally {
    URL.revokeObjectURL(url);
  }
}
