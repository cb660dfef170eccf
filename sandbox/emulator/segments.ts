import { SegmentedMessage } from "sms-segments-calculator";

export type SmsEncoding = "GSM-7" | "UCS-2";

export interface SegmentCount {
  numSegments: number;
  encoding: SmsEncoding;
}

/** Delegates to Twilio's own calculator so the emulator never shares a bug with the plugin's splitter. */
export function countSegments(body: string): SegmentCount {
  const message = new SegmentedMessage(body);
  return { numSegments: message.segmentsCount, encoding: message.encodingName };
}
