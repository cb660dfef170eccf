// RESULTS.md holds one section per benchmark script, each between its own
// markers, so running one benchmark refreshes its figures and keeps the others'.
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const RESULTS = fileURLToPath(new URL("./RESULTS.md", import.meta.url));
const TITLE = "# Benchmark results\n\nEach section is written by the script it names; rerun that script to refresh it.\n";

/** Replaces (or appends) the section named `name` with `markdown`. */
export function writeResultsSection(name: string, markdown: string): void {
  const begin = `<!-- bench:${name} -->`;
  const end = `<!-- /bench:${name} -->`;
  const section = `${begin}\n${markdown.trim()}\n${end}`;
  const current = existsSync(RESULTS) ? readFileSync(RESULTS, "utf8") : TITLE;
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  const next = from >= 0 && to > from ? `${current.slice(0, from)}${section}${current.slice(to + end.length)}` : `${current.trimEnd()}\n\n${section}\n`;
  writeFileSync(RESULTS, next);
}
