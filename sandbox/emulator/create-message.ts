import type { AccountState } from "./accounts.ts";
import { allValues, firstValue, type FormFields } from "./http-io.ts";
import type { EmulatedMessage } from "./message-resource.ts";
import { countSegments } from "./segments.ts";
import { newSid } from "./sids.ts";

const E164 = /^\+[1-9]\d{6,14}$/;
const MAX_BODY_LENGTH = 1600;
const MAX_MEDIA_URLS = 10;

function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** MMS reaches US and Canadian handsets only; elsewhere Twilio's MMS Converter sends an SMS with a link instead. */
export function receivesMms(to: string): boolean {
  return to.startsWith("+1");
}

export type CreateOutcome =
  | { ok: true; message: EmulatedMessage }
  | { ok: false; status: number; code: number; message: string };

function reject(code: number, message: string): CreateOutcome {
  return { ok: false, status: 400, code, message };
}

/** Validates a Messages create form in the order Twilio reports problems, then builds the message. */
export function createMessage(account: AccountState, fields: FormFields, now: Date): CreateOutcome {
  const to = firstValue(fields, "To") ?? "";
  const from = firstValue(fields, "From") || null;
  const messagingServiceSid = firstValue(fields, "MessagingServiceSid") || null;
  const body = firstValue(fields, "Body") ?? "";
  const mediaUrls = allValues(fields, "MediaUrl");

  if (to === "") return reject(21604, "A 'To' phone number is required.");
  // An RCS user is addressed as rcs:+E164; Twilio sends that from an RCS sender only:
  // a Messaging Service holding one, or From=rcs:<sender id>.
  const rcs = to.toLowerCase().startsWith("rcs:");
  const number = rcs ? to.slice(4) : to;
  if (!E164.test(number)) return reject(21211, `The 'To' number ${to} is not a valid phone number.`);
  if (from === null && messagingServiceSid === null) return reject(21603, "A 'From' phone number is required.");
  if (rcs && messagingServiceSid === null && !from!.toLowerCase().startsWith("rcs:")) {
    return reject(21664, "An RCS recipient (rcs:+E164) needs an RCS sender: From=rcs:<sender id> or a Messaging Service with an RCS sender.");
  }
  if (from !== null && account.restrictsFrom && !account.numbers.has(from)) {
    return reject(
      21606,
      `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`,
    );
  }
  if (messagingServiceSid !== null && account.services && !account.services.has(messagingServiceSid)) {
    return reject(21701, "The Messaging Service does not exist");
  }
  if (body === "" && mediaUrls.length === 0) return reject(21602, "Message body is required.");
  if (mediaUrls.length > MAX_MEDIA_URLS) return reject(21623, "Number of media files exceeds allowed limit");
  if (!mediaUrls.every(isHttpUrl)) return reject(21620, "Invalid media URL(s)");
  if (body.length > MAX_BODY_LENGTH) {
    return reject(21617, "The concatenated message body exceeds the 1600 character limit.");
  }
  if (account.optedOut.has(number)) return reject(21610, "Attempt to send to unsubscribed recipient");

  const { numSegments, encoding } = countSegments(body);
  const hasMedia = mediaUrls.length > 0;
  return {
    ok: true,
    message: {
      // Twilio keeps the MM prefix even when the MMS Converter turns the message into an SMS.
      sid: newSid(hasMedia ? "MM" : "SM"),
      accountSid: account.sid,
      to,
      from,
      messagingServiceSid,
      body,
      mediaUrls,
      media: [],
      mediaFetches: [],
      // RCS carries media itself; only an MMS outside the US and Canada is converted.
      mmsConverted: hasMedia && !rcs && !receivesMms(to),
      statusCallback: firstValue(fields, "StatusCallback") || null,
      // An MMS is billed as one message; the converter's SMS is counted once the link is added (server.ts).
      numSegments: hasMedia && (rcs || receivesMms(to)) ? 1 : numSegments,
      encoding,
      // With a Messaging Service Twilio first has to pick a sender, so the message starts one step earlier.
      status: messagingServiceSid === null ? "queued" : "accepted",
      errorCode: null,
      createdAt: now,
      sentAt: now,
      updatedAt: now,
      params: fields,
    },
  };
}
