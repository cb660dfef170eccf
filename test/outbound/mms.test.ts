import { describe, expect, it } from "vitest";
import { ConfigError } from "../../src/errors.ts";
import { MAX_IMAGE_BYTES, MAX_OTHER_BYTES, planMms, receivesMms, requirePublicUrl, splitCaption, type MmsAttachment } from "../../src/outbound/mms.ts";

const US = "+15551230001";
const UK = "+447700900123";
const png = (size = 100_000, fileName = "chart.png"): MmsAttachment => ({ contentType: "image/png", size, fileName });

function sent(plan: ReturnType<typeof planMms>) {
  if (plan.kind !== "send") throw new Error(`expected a send, got: ${plan.reason}`);
  return plan;
}

describe("planMms", () => {
  it("puts the text and up to 10 files in one MMS, billed as one message and no segments", () => {
    const plan = sent(planMms({ text: "Here is the **chart**", attachments: [png(), png()], to: US }));
    expect(plan.messages).toEqual([{ kind: "mms", body: "Here is the chart", attachments: [0, 1], converted: false, mms: 1, segments: 0 }]);
    expect(plan.restText).toBe("");
  });

  it("starts another MMS after 10 files, without repeating the text", () => {
    const plan = sent(planMms({ text: "album", attachments: Array.from({ length: 12 }, () => png(1000)), to: US }));
    expect(plan.messages.map((m) => [m.body, m.attachments.length])).toEqual([
      ["album", 10],
      ["", 2],
    ]);
  });

  it("keeps each message under 5 MB, text included", () => {
    const plan = sent(planMms({ text: "big", attachments: [png(3_000_000), png(2_000_000), png(1_000_000)], to: US }));
    expect(plan.messages.map((m) => m.attachments)).toEqual([[0], [1, 2]]);
  });

  it("sends the first 1600 characters with the picture and the rest as SMS text", () => {
    const sentence = "This sentence is part of a long caption. ";
    const text = sentence.repeat(60).trim();
    const plan = sent(planMms({ text, attachments: [png()], to: US }));
    expect(plan.messages[0]!.body.length).toBeLessThanOrEqual(1600);
    expect(plan.messages[0]!.body.endsWith(".")).toBe(true);
    expect(`${plan.messages[0]!.body} ${plan.restText}`.replace(/\s+/g, " ")).toBe(text);
  });

  it("sends a picture without text", () => {
    expect(sent(planMms({ text: "", attachments: [png()], to: US })).messages[0]!.body).toBe("");
  });

  it("prices an MMS to a non-US/CA number as the SMS with links it becomes", () => {
    const short = sent(planMms({ text: "Here you go", attachments: [png()], to: UK }));
    expect(short.messages[0]).toMatchObject({ converted: true, mms: 0, segments: 1 });
    // 150 characters of text plus two links no longer fit one 160-character segment.
    const long = sent(planMms({ text: "a".repeat(150), attachments: [png(), png()], to: UK }));
    expect(long.messages[0]!.segments).toBe(2);
  });

  it.each([
    [{ contentType: "image/webp", size: 1000, fileName: "a.webp" }, "Twilio cannot send a.webp (image/webp) by MMS; send it as JPEG or PNG"],
    [{ contentType: "application/zip", size: 1000, fileName: "a.zip" }, "Twilio cannot send a.zip (application/zip) by MMS"],
    [png(MAX_IMAGE_BYTES + 1, "huge.png"), "huge.png is 5.0 MB, over Twilio's MMS limit of 5.0 MB for JPEG, PNG and GIF pictures"],
    [{ contentType: "application/pdf", size: MAX_OTHER_BYTES + 1, fileName: "r.pdf" }, "r.pdf is 501 KB, over Twilio's MMS limit of 500 KB for application/pdf files"],
  ])("refuses %j with a reason naming the file and the limit", (file, reason) => {
    expect(planMms({ text: "x", attachments: [png(), file], to: US })).toEqual({ kind: "refuse", reason });
  });

  it("accepts image/jpg as JPEG", () => {
    expect(planMms({ text: "", attachments: [{ contentType: "image/jpg", size: 10, fileName: "a.jpg" }], to: US }).kind).toBe("send");
  });
});

describe("splitCaption", () => {
  it("leaves a caption of up to 1600 characters whole", () => {
    expect(splitCaption("a".repeat(1600))).toEqual({ caption: "a".repeat(1600), rest: "" });
  });
});

describe("requirePublicUrl", () => {
  it("returns the URL when set", () => {
    expect(requirePublicUrl("https://sms.example.com/hook", "default")).toBe("https://sms.example.com/hook");
  });

  it("names the account's publicUrl key and the fix when missing", () => {
    expect(() => requirePublicUrl(undefined, "sales")).toThrow(ConfigError);
    expect(() => requirePublicUrl(undefined, "sales")).toThrow(
      /^channels\.twilio-sms: accounts\.sales\.publicUrl is not set, so attachments cannot be sent.*Fix: set channels\.twilio-sms\.accounts\.sales\.publicUrl/,
    );
  });
});

describe("receivesMms", () => {
  it.each([
    ["+15551230001", true],
    ["+14165550123", true],
    // Puerto Rico and Guam are US numbers.
    ["+17875550123", true],
    ["+16715550123", true],
    // Jamaica, the Dominican Republic and Bermuda share +1 but are other countries: converted.
    ["+18765550123", false],
    ["+18095550123", false],
    ["+14415550123", false],
    ["+447700900123", false],
  ])("%s → %s", (to, expected) => {
    expect(receivesMms(to)).toBe(expected);
  });
});
