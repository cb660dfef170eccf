/**
 * Markdown → plain SMS text. remark parses, strip-markdown removes the
 * formatting, and our handlers keep what a reader needs on a phone: link
 * targets as `label (url)`, image alt text with its URL, code contents, and
 * list bullets, and tables as one readable line per row. Serialising is ours because remark-stringify would escape
 * plain characters (`1 * 2` → `1 \* 2`).
 */
import { remark } from "remark";
import remarkGfm from "remark-gfm";
import stripMarkdown from "strip-markdown";
import type { Root, RootContent, PhrasingContent, Link, Image, ImageReference, Code, List, Table } from "mdast";

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
          .map((value, index) => (header[index] ? `${header[index]}: ${value}` : value))
          .filter((cell) => cell.trim())
          .join(", "),
      )
    : rows.map((cells) => cells.join(" | "));
  return [{ type: "paragraph", children: [{ type: "text", value: lines.join("\n") }] }];
}

const handlers: [string, Handler][] = [
  ["table", tableAsRows as Handler],
  ["link", linkWithUrl as Handler],
  ["image", imageWithUrl as Handler],
  ["imageReference", imageWithUrl as Handler],
  ["code", codeAsParagraph as Handler],
];

const processor = remark().use(remarkGfm).use(stripMarkdown, { keep: ["list", "listItem"], remove: handlers as never });

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
      const marker = list.ordered ? `${start + index}. ` : "- ";
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
  const tree = processor.runSync(processor.parse(markdown)) as Root;
  return tree.children
    .map(renderBlock)
    .filter((block) => block.length > 0)
    .join("\n\n")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{3,}/g, "\n\n")
    .trim();
}
