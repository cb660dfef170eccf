// `npm start`'s entry; the launcher itself, and its settings, are in launcher.ts.
// Node strips the sandbox's TypeScript on every run; with Node's compile cache
// on, later starts reuse the stripped and compiled modules, and the page's
// address comes 0.54-0.60 s after Node starts instead of 0.65-0.79 s. It is
// turned on here, before the launcher is imported, because static imports are
// compiled before any line of this file runs.
import module from "node:module";

module.enableCompileCache();
await import("./launcher.ts");
