import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { root } from "@openclaw/fs-safe";
import { afterEach, describe, expect, it } from "vitest";

// OpenClaw stores local media (`message send --media ./a.png`) with fs-safe's
// no-replace move, which only its native helper provides. The `prepare` step
// (scripts/install-native-helper.ts) installs it when npm skipped it.
describe("native fs-safe helper", () => {
  let dir: string | undefined;
  afterEach(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("is installed, so a no-replace move inside a root works", async () => {
    dir = await mkdtemp(join(tmpdir(), "fs-safe-"));
    await writeFile(join(dir, "a.txt"), "picture bytes");
    const safe = await root(dir);
    await safe.move("a.txt", "b.txt");
    expect(await readFile(join(dir, "b.txt"), "utf8")).toBe("picture bytes");
  });
});
