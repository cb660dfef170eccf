// `npm run validate`: ClawHub's Plugin Inspector (`clawhub package validate`)
// on a clean copy of the checkout with its built dist/, offline, against the
// OpenClaw in node_modules. Run on the checkout itself, the inspector also
// reads ignored folders, and it takes the first package.json it meets for its
// contract checks: after an `npm start` that is `.sandbox/plugin/`'s, the
// copy of the last build the sandbox unpacked, not the checkout's.
// Arguments are passed on (`npm run validate -- --out <dir>`).
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { copyCleanCheckout } from "./clean-checkout.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
if (outAt >= 0 && args[outAt + 1]) args[outAt + 1] = resolve(args[outAt + 1]!);
else args.push("--out", join(root, ".tmp", "plugin-inspector"));

const copy = copyCleanCheckout(root, "plugin-validate-", { withDist: true });
try {
  const run = spawnSync(
    join(root, "node_modules", ".bin", "clawhub"),
    ["package", "validate", copy, "--runtime", "--allow-execute", "--openclaw", join(root, "node_modules", "openclaw"), ...args],
    { stdio: "inherit" },
  );
  if (run.error) throw run.error;
  process.exitCode = run.status ?? 1;
} finally {
  rmSync(copy, { recursive: true, force: true });
}
