/**
 * Markdown → plain SMS text. The SDK's sanitizer first removes the agent's
 * scaffolding (<think>, <final>, tool-call XML) outside code, then remark
 * parses, strip-markdown removes the formatting, and our handlers keep what a
 * reader needs on a phone: link targets as `label (url)` (reference links
 * too), image alt text with its URL, code contents, list bullets and task
 * boxes, tables as one readable line per row, and the text inside HTML.
 * Serialising is ours because remark-stringify would escape plain characters
 * (`1 * 2` → `1 \* 2`).
 */
import type { Code, Definition, Html, Image, ImageReference, Link, List, Nodes, PhrasingContent, Root, RootContent, Table } from "mdast";
import { sanitizeAssistantVisibleText } from "openclaw/plugin-sdk/text-chunking";
import { remark } from "remark";
import remarkGfm from "remark-gfm";
import stripMarkdown from "strip-markdown";

type Handler = (node: never) => unknown;

function plainTextOf(nodes: readonly { type: string; value?: string; children?: unknown[] }[]): string {
  return nodes
    .map((node) => (typeof node.value === "string" ? node.value : plainTextOf((node.children ?? []) as never[])))
    .join("");
}

function linkWithUrl(node: Link): PhrasingContent[] {
  const label = plainTextOf(node.children).trim();
  const url = node.url;
  if (!url || label === url || label === url.replace(/^mailto:/, "")) return node.children;
  if (!label) return [{ type: "text", value: url }];
  return [...node.children, { type: "text", value: ` (${url})` }];
}

function imageWithUrl(node: Image | ImageReference): PhrasingContent {
  const alt = node.alt?.trim() ?? "";
  const url = node.type === "image" ? node.url : "";
  const value = alt && url ? `${alt} (${url})` : alt || url;
  return { type: "text", value };
}

function codeAsParagraph(node: Code): RootContent {
  return { type: "paragraph", children: [{ type: "text", value: node.value }] };
}

/** A table row reads as `Header: value, Header: value`; a table without headers as `a | b`. */
function tableAsRows(node: Table): RootContent[] {
  const rows = node.children.map((row) => row.children.map((cell) => plainTextOf(cell.children).trim()));
  const [header = [], ...body] = rows;
  const labelled = header.some(Boolean) && body.length > 0;
  const lines = labelled
    ? body.map((cells) =>
        cells
          .flatMap((value, index) => (!value ? [] : header[index] ? [`${header[index]}: ${value}`] : [value]))
          .join(", "),
      )
    : rows.map((cells) => cells.join(" | "));
  return [{ type: "paragraph", children: [{ type: "text", value: lines.join("\n") }] }];
}

const ENTITIES: Readonly<Record<string, string>> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'", nbsp: "\u00a0" };

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, name: string) => {
    if (name[0] !== "#") return ENTITIES[name.toLowerCase()] ?? entity;
    const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
  });
}

// Only real elements are dropped: agents write placeholders such as
// `<your-username>` that parse as HTML but are meant to be read.
const HTML_ELEMENTS = new Set(
  "a abbr b big blockquote br center cite code del details dfn div em font h1 h2 h3 h4 h5 h6 hr i img ins kbd li mark ol p pre q s samp section small span strike strong sub summary sup table tbody td tfoot th thead tr tt u ul var article aside footer header main nav figure figcaption".split(" "),
);

/**
 * HTML is kept as the text a browser would show: tags go, breaks and block
 * ends become new lines, list items get a bullet, table cells a bar.
 * strip-markdown's default drops the whole node, which loses every word of a
 * block such as `<div>…</div>`.
 */
function htmlAsText(node: Html): PhrasingContent {
  const value = decodeEntities(
    node.value
      .replace(/<!--[\s\S]*?(?:-->|$)|<(script|style)\b[\s\S]*?<\/\1\s*>/gi, "")
      .replace(/<\/t[dh]>\s*<t[dh]\b[^>]*>/gi, " | ")
      .replace(/<li\b[^>]*>/gi, "\n- ")
      .replace(/<(?:br|hr)\b[^>]*>|<\/?(?:p|div|tr|h[1-6]|ul|ol|table|blockquote|pre|summary|details|section|article)\b[^>]*>/gi, "\n")
      .replace(/<\/?([a-z][a-z0-9-]*)\b[^>]*>/gi, (tag, name: string) => (HTML_ELEMENTS.has(name.toLowerCase()) ? "" : tag))
      // Source indentation and the new lines around block tags would pile up as blank lines.
      .replace(/\s*\n\s*/g, "\n"),
  );
  return { type: "text", value };
}

const handlers: [string, Handler][] = [
  ["table", tableAsRows as Handler],
  ["link", linkWithUrl as Handler],
  ["image", imageWithUrl as Handler],
  ["imageReference", imageWithUrl as Handler],
  ["code", codeAsParagraph as Handler],
  ["html", htmlAsText as Handler],
];

/**
 * `[label][1]` and `![alt][1]` become ordinary links and images, so the
 * handlers above can show their URLs; strip-markdown sees only the node,
 * never the definitions elsewhere in the document.
 */
function resolveReferences() {
  return (tree: Root) => {
    const definitions = new Map<string, Definition>();
    const collect = (node: Nodes) => {
      if (node.type === "definition") definitions.set(node.identifier, node);
      if ("children" in node) node.children.forEach(collect);
    };
    const replace = (node: Nodes) => {
      if (!("children" in node)) return;
      node.children = node.children.map((child) => {
        replace(child);
        const definition = "identifier" in child ? definitions.get(child.identifier) : undefined;
        if (!definition) return child;
        if (child.type === "linkReference") return { type: "link", url: definition.url, children: child.children } satisfies Link;
        if (child.type === "imageReference") return { type: "image", url: definition.url, alt: child.alt } satisfies Image;
        return child;
      }) as typeof node.children;
    };
    collect(tree);
    replace(tree);
  };
}

const processor = remark()
  .use(remarkGfm)
  .use(resolveReferences)
  .use(stripMarkdown, { keep: ["list", "listItem"], remove: handlers as never });

function inline(nodes: readonly PhrasingContent[] | readonly RootContent[]): string {
  return nodes
    .map((node) => {
      if (node.type === "break") return "\n";
      if ("value" in node && typeof node.value === "string") return node.value;
      if ("children" in node) return inline(node.children as PhrasingContent[]);
      return "";
    })
    .join("");
}

function renderList(list: List, depth: number): string {
  const start = list.start ?? 1;
  return list.children
    .map((item, index) => {
      const box = item.checked === true ? "[x] " : item.checked === false ? "[ ] " : "";
      const marker = `${list.ordered ? `${start + index}.` : "-"} ${box}`;
      const indent = "  ".repeat(depth);
      const body = item.children
        .map((child) => (child.type === "list" ? renderList(child, depth + 1) : inline([child]).trim()))
        .filter(Boolean)
        .join("\n");
      return `${indent}${marker}${body}`;
    })
    .join("\n");
}

function renderBlock(node: RootContent): string {
  if (node.type === "list") return renderList(node, 0);
  return inline([node]).trim();
}

/** Flattens Markdown into plain text suitable for SMS. */
export function flattenMarkdown(markdown: string): string {
  const visible = sanitizeAssistantVisibleText(markdown);
  const tree = processor.runSync(processor.parse(visible)) as Root;
  return tree.children
    .map(renderBlock)
    .filter((block) => block.length > 0)
    .join("\n\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
