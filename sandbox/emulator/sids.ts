import { randomBytes } from "node:crypto";

/** A Twilio-shaped resource SID: two-letter prefix (`SM`, `MM`, `PN`, …) plus 32 lowercase hex digits. */
export function newSid(prefix: string): string {
  return prefix + randomBytes(16).toString("hex");
}
