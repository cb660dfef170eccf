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

  it.each([
    // Headings
    ["ATX headings of every level", "# One\n## Two\n###### Six\nBody", "One\n\nTwo\n\nSix\n\nBody"],
    ["setext heading", "Title\n=====\n\nBody", "Title\n\nBody"],
    // Emphasis
    ["bold italic", "***both*** and **_nested_**", "both and nested"],
    ["escaped markers stay literal", "\\*not emphasis\\*", "*not emphasis*"],
    // Lists
    ["loose bullet list is tightened", "* a\n\n* b", "- a\n- b"],
    ["ordered list with nested bullets", "1. one\n2. two\n   - inner\n3. three", "1. one\n2. two\n  - inner\n3. three"],
    ["task list keeps its boxes", "- [ ] todo\n- [x] done", "- [ ] todo\n- [x] done"],
    // Tables
    ["table row skips empty cells", "| Item | Price |\n|:--|--:|\n| Tea | $3 |\n|  | $4 |", "Item: Tea, Price: $3\nPrice: $4"],
    ["header-only table", "| a | b |\n|---|---|", "a | b"],
    ["inline code in a cell", "| Cmd |\n|---|\n| `ls -l` |", "Cmd: ls -l"],
    // Code
    ["fenced code keeps indentation", "```py\nif x:\n    y()\n```", "if x:\n    y()"],
    ["indented code block", "    npm test", "npm test"],
    ["inline code with a bar", "use `a | b` here", "use a | b here"],
    // Links
    ["link with a title", '[label](https://x.io "T")', "label (https://x.io)"],
    ["reference link shows its URL", "[docs][1]\n\n[1]: https://ref.io", "docs (https://ref.io)"],
    ["email autolink", "mail <me@x.io>", "mail me@x.io"],
    // Images
    ["image without alt text", "![](https://x.io/i.png)", "https://x.io/i.png"],
    ["reference image", "![chart][c]\n\n[c]: https://x.io/c.png", "chart (https://x.io/c.png)"],
    // Block quotes
    ["multi-line and nested quotes", "> one\n> two\n\n> > deep", "one\ntwo\n\ndeep"],
    // HTML
    ["block HTML keeps its text", "<div>\n<p>Hello <b>there</b></p>\n<p>Again</p>\n</div>", "Hello there\nAgain"],
    ["HTML list", "<ul>\n  <li>one</li>\n  <li>two &amp; three</li>\n</ul>", "- one\n- two & three"],
    ["HTML table", "<table><tr><th>k</th><th>v</th></tr><tr><td>a</td><td>b</td></tr></table>", "k | v\na | b"],
    ["inline <br>", "Line<br>break", "Line\nbreak"],
    ["HTML comment", "A\n\n<!-- note to self -->\n\nB", "A\n\nB"],
    ["details and summary", "<details><summary>More</summary>Hidden</details>", "More\nHidden"],
    ["entities", "a &amp; b &lt;c&gt; &copy; &#8364;", "a & b <c> © €"],
    ["a placeholder that parses as HTML is kept", "ssh as <your-username> now", "ssh as <your-username> now"],
    ["thematic break", "above\n\n---\n\nbelow", "above\n\nbelow"],
    // The agent's scaffolding
    ["<think> block", "<think>plan the answer</think>\nAnswer **here**", "Answer here"],
    ["<thinking> block", "<thinking>x</thinking>Visible", "Visible"],
    ["<final> wrapper", "<final>Done.</final>", "Done."],
    ["reasoning then final", "<think>a</think><final>It is **42**.</final>", "It is 42."],
    ["tool-call XML", '<tool_call>{"name":"x"}</tool_call>Done', "Done"],
    ["scaffolding inside code is literal", "```\n<think>literal</think>\n```", "<think>literal</think>"],
    // Look-alike swaps happen per part in the chunker, not here
    ["emoji and curly quotes pass through", "Nice 🎉 “quote”", "Nice 🎉 “quote”"],
  ])("fixture: %s", (_name, markdown, expected) => {
    expect(flattenMarkdown(markdown)).toBe(expected);
  });

  it("keeps paragraphs apart with one blank line and trims the ends", () => {
    expect(flattenMarkdown("\n\nA\n\n\n\nB\n\n")).toBe("A\n\nB");
  });
});
