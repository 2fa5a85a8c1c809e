/**
 * The inspector's favicon (issue 13, item 29: /favicon.ico was a 404 on every page load): a 16×16
 * ICO holding one 32-bit bitmap, a green dot, drawn here so no binary file has to ship.
 */
export const FAVICON: Buffer = drawIcon(16, (x, y) => {
  const d = Math.hypot(x - 7.5, y - 7.5);
  return d <= 6.5 ? 0xff3fb950 : d <= 7.5 ? 0x803fb950 : 0; // ARGB: opaque inside, soft edge
});

function drawIcon(size: number, pixel: (x: number, y: number) => number): Buffer {
  const pixels = size * size * 4;
  const mask = size * Math.ceil(size / 32) * 4; // the AND mask, rows padded to 32 bits; alpha does the work
  const image = 40 + pixels + mask;
  const out = Buffer.alloc(6 + 16 + image);
  out.writeUInt16LE(1, 2); // type: icon
  out.writeUInt16LE(1, 4); // one image
  out.writeUInt8(size, 6);
  out.writeUInt8(size, 7);
  out.writeUInt16LE(1, 10); // planes
  out.writeUInt16LE(32, 12); // bits per pixel
  out.writeUInt32LE(image, 14);
  out.writeUInt32LE(22, 18); // where the image starts
  out.writeUInt32LE(40, 22); // BITMAPINFOHEADER
  out.writeInt32LE(size, 26);
  out.writeInt32LE(size * 2, 30); // the height counts the mask too
  out.writeUInt16LE(1, 34);
  out.writeUInt16LE(32, 36);
  out.writeUInt32LE(pixels + mask, 42);
  for (let row = 0; row < size; row++) {
    for (let x = 0; x < size; x++) out.writeUInt32LE(pixel(x, size - 1 - row) >>> 0, 62 + (row * size + x) * 4); // bottom-up rows
  }
  return out;
}
