// Bundles the plugin and its runtime dependencies (twilio, zod, remark, …)
// into a few files under dist/. OpenClaw copies every file of an installed
// plugin into a per-load capture folder and deletes it on each reload: with
// node_modules that was 14,000 files and 144 MB, whose deletion alone outlasted
// the host's 5 s retirement budget on a config reload. Only the host's own SDK
// (`openclaw/...`) and Node's built-ins stay external.
import { defineConfig } from "rolldown";

export default defineConfig({
  input: {
    index: "src/index.ts",
    "setup-entry": "src/setup-entry.ts",
    // Loaded by file name: the secrets runtime and the configured-state probe.
    "secret-contract-api": "src/secret-contract-api.ts",
    "configured-state": "src/configured-state.ts",
  },
  platform: "node",
  external: [/^openclaw(\/|$)/, /^node:/],
  output: {
    dir: "dist",
    // Chunk names carry a content hash: without this, every build would leave the last one's 3 MB behind.
    cleanDir: true,
    format: "esm",
    entryFileNames: "[name].js",
    chunkFileNames: "chunks/[name]-[hash].js",
    // Non-ASCII characters in string and regex literals (curly quotes, emoji,
    // Unicode ranges from twilio, remark and zod) escaped as \uXXXX. OpenClaw
    // imports the plugin from a fresh capture folder on every load, so Node's
    // compile cache never applies, and this halves the cost of that import
    // (about 460 ms to 230 ms, measured). Nothing is compressed or renamed:
    // names and line breaks stay, so a stack trace names the sources' functions.
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: false, asciiOnly: true } },
  },
});
