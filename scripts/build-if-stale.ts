// `prepare` (after `npm install`) and `pretest`: builds dist/ unless it is
// newer than every build input. A fresh clone is built once, by its install,
// so the first `npm start` only installs the plugin and boots the gateway, and
// `npm test` does not build a second time; an edited source is rebuilt.
import { fileURLToPath } from "node:url";
import { buildIfStale } from "../sandbox/build.ts";

const started = Date.now();
if (await buildIfStale(fileURLToPath(new URL("..", import.meta.url)))) {
  process.stderr.write(`built dist/ (npm run build) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`);
}
