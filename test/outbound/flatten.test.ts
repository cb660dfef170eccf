import { describe, expect, it } from "vitest";
import { flattenMarkdown } from "../../src/outbound/flatten.ts";

describe("flattenMarkdown", () => {
  it.each([
    ["bold and link", "**Hi** [docs](https://example.com)", "Hi docs (https://example.com)"],
    ["emphasis and strike", "*a* _b_ ~~c~~ __d__", "a b c d"],
    ["plain characters stay unescaped", "1 * 2 = 2, a_b_c, [x]", "1 * 2 = 2, a_b_c, [x]"],
    ["heading", "# Title\n\nBody", "Title\n\nBody"],
    ["bare URL link", "<https://example.com>", "https://example.com"],
    ["link whose label is the URL", "[https://x.io](https://x.io)", "https://x.io"],
    ["image", "![a cat](https://x.io/cat.png)", "a cat (https://x.io/cat.png)"],
    ["inline code", "run `npm test` now", "run npm test now"],
    ["code block keeps its content", "```js\nconst a = 1;\n```", "const a = 1;"],
    ["bullets", "- one\n- **two**", "- one\n- two"],
    ["numbered list", "3. first\n4. second", "3. first\n4. second"],
    ["nested list", "- a\n  - b", "- a\n  - b"],
    ["block quote", "> quoted", "quoted"],
    ["hard break", "line one  \nline two", "line one\nline two"],
    ["html tags", "<b>bold</b> text", "bold text"],
    ["table with headers", "| Name | Age |\n|---|---|\n| Ann | 30 |\n| Bo | 4 |", "Name: Ann, Age: 30\nName: Bo, Age: 4"],
    ["autolinked URL", "see https://x.io now", "see https://x.io now"],
  ])("%s", (_name, markdown, expected) => {
    expect(flattenMarkdown(markdown)).toBe(expected);
  });

  it("keeps paragraphs apart with one blank line and trims the ends", () => {
    expect(flattenMarkdown("\n\nA\n\n\n\nB\n\n")).toBe("A\n\nB");
  });
});
