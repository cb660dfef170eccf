import { afterAll, beforeAll, beforeEach } from "vitest";
import { startTwilioEmulator } from "../../sandbox/emulator/index.ts";
import type { TwilioEmulator } from "../../sandbox/emulator/index.ts";

/** One emulator for the file, reset before each test; call the returned getter inside tests. */
export function useTwilioEmulator(): () => TwilioEmulator {
  let emulator: TwilioEmulator | undefined;
  beforeAll(async () => {
    emulator = await startTwilioEmulator();
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => emulator?.reset());
  return () => {
    if (!emulator) throw new Error("the emulator is not running yet (use it inside a test)");
    return emulator;
  };
}
