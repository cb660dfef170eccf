// Small picture files for media tests, built once here instead of by hand in
// every file: real, decodable PNGs (any size and colour) and a GIF, plus a
// JPEG whose magic number sniffs right without being a full image.
import { createHash } from "node:crypto";
import { crc32, deflateSync } from "node:zlib";

export const sha256 = (bytes: Uint8Array): string => createHash("sha256").update(bytes).digest("hex");

function chunk(type: string, data: Buffer): Buffer {
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, "latin1"), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([length, body, crc]);
}

/**
 * A valid RGBA PNG of one colour. `noise` fills the pixels with seeded bytes
 * instead, so the file stays about `width × height × 4` bytes after compression
 * (for size-limit tests).
 */
export function png(options: { width?: number; height?: number; rgba?: readonly [number, number, number, number]; noise?: boolean } = {}): Buffer {
  const { width = 1, height = 1, rgba = [0, 0, 0, 0], noise = false } = options;
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 6, 0, 0, 0], 8); // 8-bit RGBA, no interlace
  const row = 1 + width * 4;
  const pixels = Buffer.alloc(row * height);
  let seed = 0x2545f491;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const at = y * row + 1 + x * 4;
      for (let c = 0; c < 4; c++) {
        seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
        pixels[at + c] = noise ? seed >>> 24 : rgba[c]!;
      }
    }
  }
  const signature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  return Buffer.concat([signature, chunk("IHDR", header), chunk("IDAT", deflateSync(pixels)), chunk("IEND", Buffer.alloc(0))]);
}

/** A 1×1 transparent PNG. */
export const PNG = png();

/** A 1×1 GIF89a (one white pixel, transparent). */
export const GIF = Buffer.from("47494638396101000100800000000000ffffff21f90401000000002c00000000010001000002024401003b", "hex");

/** JPEG magic (SOI + JFIF APP0) around filler: sniffs as image/jpeg, decodes as nothing. */
export const JPEG_MAGIC = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10]), Buffer.from("JFIF\0"), Buffer.alloc(200, 7), Buffer.from([0xff, 0xd9])]);
