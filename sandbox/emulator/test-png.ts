// Test fixture shared by the emulator's picture tests: the smallest valid
// image the emulator accepts and sniffs as image/png.

/** A 1×1 transparent PNG. */
export const TINY_PNG = Buffer.from(
  "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201ffa1c1d1f00000000049454e44ae426082",
  "hex",
);
