// `npm run validate`: ClawHub's Plugin Inspector (`clawhub package validate`)
// on a clean copy of the checkout with its built dist/, offline, against the
// OpenClaw in node_modules. Run on the checkout itself, the inspector also
// reads ignored folders, and it takes the first package.json it meets for its
// contract checks: after an `npm start` that is `.sandbox/plugin/`'s, the
// copy of the last build the sandbox unpacked, not the checkout's.
// Arguments are passed on (`npm run validate -- --out <dir>`).
import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { copyCleanCheckout } from "./clean-checkout.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

/** The arguments with `--out` absolute: the inspector resolves it against the copy, which is deleted afterwards. */
function withAbsoluteOut(args: string[]): string[] {
  const out: string[] = [];
  let given = false;
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i]!;
    if (arg === "--out" || arg.startsWith("--out=")) {
      const dir = arg === "--out" ? args[(i += 1)] : arg.slice("--out=".length);
      if (!dir || dir.startsWith("-")) throw new Error("npm run validate: --out needs a directory, e.g. --out .tmp/plugin-inspector");
      out.push("--out", resolve(dir));
      given = true;
    } else {
      out.push(arg);
    }
  }
  return given ? out : [...out, "--out", join(root, ".tmp", "plugin-inspector")];
}

// Set before the copy, so the copy is removed however this ends: a Ctrl-C, a
// kill or a closed terminal is passed on to the inspector (a Ctrl-C from the
// terminal reaches it directly as well, which only stops it sooner), and this
// script waits for it below. A signal that comes during the copy (synchronous)
// is handled once the inspector has started, and stops it.
let inspector: ChildProcess | undefined;
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => inspector?.kill(signal));

let args: string[];
let copy: string;
try {
  args = withAbsoluteOut(process.argv.slice(2));
  copy = copyCleanCheckout(root, "plugin-validate-", { withDist: true });
} catch (err) {
  process.stderr.write(`${(err as Error).message}\n`);
  process.exit(2);
}
try {
  const running = spawn(
    join(root, "node_modules", ".bin", "clawhub"),
    ["package", "validate", copy, "--runtime", "--allow-execute", "--openclaw", join(root, "node_modules", "openclaw"), ...args],
    { stdio: "inherit" },
  );
  inspector = running;
  process.exitCode = await new Promise<number>((done, fail) => {
    running.once("error", fail);
    running.once("close", (code) => done(code ?? 1));
  });
} finally {
  rmSync(copy, { recursive: true, force: true });
}
