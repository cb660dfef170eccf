import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { copyCleanCheckout } from "../scripts/clean-checkout.ts";

// `npm run validate` and `npm run bench:start` work on this copy, so what
// `npm start` leaves in `.sandbox/` can never stand in for the checkout.
const made: string[] = [];
afterEach(() => {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function write(root: string, file: string, text: string): void {
  mkdirSync(join(root, file, ".."), { recursive: true });
  writeFileSync(join(root, file), text);
}

it("holds the tracked and the new files, not the ignored ones, with node_modules linked and dist/ on request", () => {
  const repo = mkdtempSync(join(tmpdir(), "clean-checkout-repo-"));
  made.push(repo);
  write(repo, ".gitignore", "node_modules/\ndist/\n.sandbox/\n");
  write(repo, "package.json", '{"name":"the-checkout"}\n');
  write(repo, "src/index.ts", "export {};\n");
  write(repo, "src/gone.ts", "export {};\n");
  execFileSync("git", ["init", "-q"], { cwd: repo });
  execFileSync("git", ["add", "."], { cwd: repo });
  rmSync(join(repo, "src/gone.ts"));
  write(repo, "src/new.ts", "export {};\n");
  write(repo, ".sandbox/plugin/package.json", '{"name":"the-sandbox-copy"}\n');
  write(repo, "dist/index.js", "export {};\n");
  write(repo, "node_modules/dep/index.js", "export {};\n");

  const bare = copyCleanCheckout(repo, "clean-checkout-copy-");
  made.push(bare);
  expect(JSON.parse(readFileSync(join(bare, "package.json"), "utf8")).name).toBe("the-checkout");
  expect(existsSync(join(bare, "src/index.ts"))).toBe(true);
  expect(existsSync(join(bare, "src/new.ts"))).toBe(true);
  expect(existsSync(join(bare, "src/gone.ts"))).toBe(false);
  expect(existsSync(join(bare, ".sandbox"))).toBe(false);
  expect(existsSync(join(bare, "dist"))).toBe(false);
  expect(realpathSync(join(bare, "node_modules"))).toBe(realpathSync(join(repo, "node_modules")));

  const built = copyCleanCheckout(repo, "clean-checkout-copy-", { withDist: true });
  made.push(built);
  expect(readFileSync(join(built, "dist/index.js"), "utf8")).toBe("export {};\n");
  expect(existsSync(join(built, ".sandbox"))).toBe(false);
});

it("refuses to copy without a built dist/ when asked for one, before it makes a copy", () => {
  const repo = mkdtempSync(join(tmpdir(), "clean-checkout-repo-"));
  made.push(repo);
  write(repo, "package.json", '{"name":"the-checkout"}\n');
  execFileSync("git", ["init", "-q"], { cwd: repo });
  const copies = () => readdirSync(tmpdir()).filter((name) => name.startsWith("clean-checkout-unbuilt-"));
  expect(() => copyCleanCheckout(repo, "clean-checkout-unbuilt-", { withDist: true })).toThrow(/dist.* is not built: run `npm run build` first/);
  expect(copies()).toEqual([]);
});

it("removes its half-made copy when the copy fails", () => {
  // Not a git repository: `git ls-files` fails after the copy's folder was made.
  const notARepo = mkdtempSync(join(tmpdir(), "clean-checkout-plain-"));
  made.push(notARepo);
  write(notARepo, "package.json", '{"name":"not-a-repo"}\n');
  const copies = () => readdirSync(tmpdir()).filter((name) => name.startsWith("clean-checkout-failed-"));
  expect(() => copyCleanCheckout(notARepo, "clean-checkout-failed-")).toThrow(/git/);
  expect(copies()).toEqual([]);
});
