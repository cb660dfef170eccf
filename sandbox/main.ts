// `npm start`'s entry; the launcher itself, and its settings, are in launcher.ts.
// Node strips the sandbox's TypeScript on every run, which costs a start about
// 0.4 s; with Node's compile cache on, later starts reuse the stripped and
// compiled modules. It is turned on here, before the launcher is imported,
// because static imports are compiled before any line of this file runs.
import module from "node:module";

module.enableCompileCache?.();
await import("./launcher.ts");
