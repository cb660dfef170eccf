import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HostedFile } from "../../src/media/host.ts";
import { AttachmentLoadError, loadAttachments, mediaUrlsOf, replyWithAttachments } from "../../src/outbound/attachments.ts";
import { MmsRefusedError } from "../../src/outbound/mms-send.ts";
import type { SentPart } from "../../src/outbound/receipts.ts";
import { SmsSendError } from "../../src/outbound/receipts.ts";
import { GIF, PNG, sha256 } from "../support/pictures.ts";

let root: string;
let outside: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "twilio-sms-attach-"));
  outside = await mkdtemp(join(tmpdir(), "twilio-sms-outside-"));
  await writeFile(join(root, "a.png"), PNG);
  await writeFile(join(root, "b.gif"), GIF);
  await writeFile(join(outside, "secret.png"), PNG);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await rm(outside, { recursive: true, force: true });
});

describe("mediaUrlsOf", () => {
  it("lists a payload's files in order, once each, without blanks", () => {
    expect(mediaUrlsOf({ mediaUrls: ["/a.png", " ", "/b.gif", "/a.png"] })).toEqual(["/a.png", "/b.gif"]);
    expect(mediaUrlsOf({ mediaUrl: "/a.png" })).toEqual(["/a.png"]);
    expect(mediaUrlsOf({ mediaUrl: "/a.png", mediaUrls: ["/a.png", "/b.gif"] })).toEqual(["/a.png", "/b.gif"]);
    expect(mediaUrlsOf({})).toEqual([]);
  });
});

describe("loadAttachments", () => {
  it("reads each file inside the allowed folders with its type sniffed from the bytes", async () => {
    const files = await loadAttachments([join(root, "a.png"), join(root, "b.gif")], { mediaLocalRoots: [root] });
    expect(files.map((file) => [file.contentType, sha256(file.bytes)])).toEqual([
      ["image/png", sha256(PNG)],
      ["image/gif", sha256(GIF)],
    ]);
  });

  it("refuses a file outside the allowed folders, naming its position", async () => {
    const loading = loadAttachments([join(root, "a.png"), join(outside, "secret.png")], { mediaLocalRoots: [root] });
    await expect(loading).rejects.toBeInstanceOf(AttachmentLoadError);
    await expect(loading).rejects.toThrow(/could not read attachment 2 of 2: .*; nothing was sent/);
  });
});

describe("replyWithAttachments", () => {
  const part: SentPart = { index: 0, sid: "MMx", status: "queued", segments: 0, encoding: "GSM-7", media: { count: 1, billedAs: "mms" } };
  const file: HostedFile = { bytes: PNG, contentType: "image/png", fileName: "a.png" };

  function harness(options: { load?: () => Promise<HostedFile[]>; mms?: () => Promise<SentPart[]> } = {}) {
    const calls: { text: string; files: number }[] = [];
    const warnings: string[] = [];
    const run = (text: string, urls: string[]) =>
      replyWithAttachments({
        text,
        urls,
        load: options.load ?? (async () => [file]),
        reply: async (body, files) => {
          calls.push({ text: body, files: files?.length ?? 0 });
          if (files?.length && options.mms) return await options.mms();
          return [part];
        },
        warn: (reason) => warnings.push(reason),
      });
    return { calls, warnings, run };
  }

  it("sends the text with the files", async () => {
    const { calls, warnings, run } = harness();
    expect(await run("here", ["/a.png"])).toEqual([part]);
    expect(calls).toEqual([{ text: "here", files: 1 }]);
    expect(warnings).toEqual([]);
  });

  it("sends the text with a note when a file cannot be read, and says why in the log", async () => {
    const { calls, warnings, run } = harness({
      load: async () => {
        throw new AttachmentLoadError("twilio-sms: could not read attachment 2 of 2: no such file; nothing was sent", undefined);
      },
    });
    await run("here", ["/a.png", "/gone.png"]);
    expect(calls).toEqual([{ text: "here\n\n[2 attachments could not be sent]", files: 0 }]);
    expect(warnings).toEqual([expect.stringContaining("attachment 2 of 2")]);
  });

  it("sends the note alone when a refused file had no text with it", async () => {
    const { calls, run } = harness({
      mms: async () => {
        throw new MmsRefusedError("huge.png is 6.0 MB, over Twilio's MMS limit of 5.0 MB for JPEG, PNG and GIF pictures");
      },
    });
    await run("", ["/huge.png"]);
    expect(calls).toEqual([
      { text: "", files: 1 },
      { text: "[1 attachment could not be sent]", files: 0 },
    ]);
  });

  it("lets a failure at Twilio through: the text is not sent twice", async () => {
    const failure = new SmsSendError(
      "+15551230001",
      { outcome: "rejected", reason: "Twilio refused it", partIndex: 0, totalParts: 1, attempts: 1, httpStatus: 400, twilioCode: 21211 },
      [],
      undefined,
    );
    const { calls, run } = harness({
      mms: async () => {
        throw failure;
      },
    });
    await expect(run("here", ["/a.png"])).rejects.toBe(failure);
    expect(calls).toHaveLength(1);
  });
});
