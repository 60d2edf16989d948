#!/usr/bin/env node
// Writes the tray-state icons and the app icon under resources/ as PNGs, with nothing
// but zlib: run `node scripts/make-icons.mjs` after changing a colour or a shape; the PNGs
// are committed. Tray icons: a drive glyph with a status dot, 16 px and 32 px (@2x).
import { Buffer } from 'node:buffer';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'resources');

const CRC_TABLE = new Uint32Array(256).map((_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
/** rgba: Float32Array of w*h*4 in 0..1, premultiplied no; returns a PNG buffer. */
function encodePng(w, h, rgba) {
  const raw = Buffer.alloc((w * 4 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 4 + 1)] = 0; // filter: none
    for (let x = 0; x < w * 4; x++)
      raw[y * (w * 4 + 1) + 1 + x] = Math.round(Math.min(1, Math.max(0, rgba[y * w * 4 + x])) * 255);
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const hex = (s) => [1, 3, 5].map((i) => parseInt(s.slice(i, i + 2), 16) / 255);

/** Signed-distance shapes, in a unit square (0..1). */
const roundRect = (x0, y0, x1, y1, r) => (x, y) => {
  const cx = Math.max(x0 + r - x, 0, x - (x1 - r));
  const cy = Math.max(y0 + r - y, 0, y - (y1 - r));
  const outside = Math.hypot(cx, cy) - r;
  const inside = Math.min(0, Math.max(x0 - x, x - x1, y0 - y, y - y1));
  return cx > 0 || cy > 0 ? outside : inside;
};
const circle = (cx, cy, r) => (x, y) => Math.hypot(x - cx, y - cy) - r;

/** Paints layers (shape, colour) with 4x4 supersampling. */
function render(size, layers) {
  const px = new Float32Array(size * size * 4);
  const S = 4;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      let [r, g, b, a] = [0, 0, 0, 0];
      for (const [shape, [lr, lg, lb], la = 1] of layers) {
        let cover = 0;
        for (let sy = 0; sy < S; sy++)
          for (let sx = 0; sx < S; sx++)
            if (shape((x + (sx + 0.5) / S) / size, (y + (sy + 0.5) / S) / size) <= 0) cover++;
        const al = (cover / (S * S)) * la;
        // "over" compositing, straight alpha
        const na = al + a * (1 - al);
        if (na > 0) {
          r = (lr * al + r * a * (1 - al)) / na;
          g = (lg * al + g * a * (1 - al)) / na;
          b = (lb * al + b * a * (1 - al)) / na;
        }
        a = na;
      }
      px.set([r, g, b, a], (y * size + x) * 4);
    }
  }
  return encodePng(size, size, px);
}

export const STATES = {
  stopped: '#8a8f98',
  starting: '#e0a400',
  serving: '#2ea043',
  busy: '#2f81f7',
  degraded: '#f0883e',
  error: '#e5484d',
};

function trayIcon(size, colour) {
  const body = hex('#4a4f57');
  const light = hex('#d8dbe0');
  return render(size, [
    // drive body with two bays
    [roundRect(0.06, 0.16, 0.94, 0.84, 0.12), body],
    [roundRect(0.16, 0.28, 0.62, 0.4, 0.04), light],
    [roundRect(0.16, 0.58, 0.62, 0.7, 0.04), light],
    // status dot with a ring so it reads on light and dark panels
    [circle(0.76, 0.7, 0.25), hex('#ffffff')],
    [circle(0.76, 0.7, 0.19), hex(colour)],
  ]);
}

function appIcon(size) {
  const bg = hex('#1f6feb');
  const white = hex('#ffffff');
  const layers = [[roundRect(0.06, 0.06, 0.94, 0.94, 0.2), bg]];
  for (const y of [0.22, 0.42, 0.62]) {
    layers.push([roundRect(0.2, y, 0.8, y + 0.15, 0.04), white, 0.95]);
    layers.push([circle(0.7, y + 0.075, 0.03), hex('#2ea043')]);
  }
  return render(size, layers);
}

mkdirSync(path.join(OUT, 'tray'), { recursive: true });
for (const [state, colour] of Object.entries(STATES)) {
  writeFileSync(path.join(OUT, 'tray', `${state}.png`), trayIcon(16, colour));
  writeFileSync(path.join(OUT, 'tray', `${state}@2x.png`), trayIcon(32, colour));
}
writeFileSync(path.join(OUT, 'icon.png'), appIcon(512));
// The web UI's favicon (served at /favicon.ico too, where browsers look without being told).
const PUBLIC = path.join(OUT, '..', 'src', 'renderer', 'public');
mkdirSync(PUBLIC, { recursive: true });
writeFileSync(path.join(PUBLIC, 'favicon.png'), appIcon(64));
process.stdout.write(`wrote icons to ${OUT}\n`);
