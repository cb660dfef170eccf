/**
 * What each Twilio error code means for us: may the request be repeated, and
 * what should a person do. Causes are phrased to follow "Twilio rejected
 * +1******0001: …", so they name the problem, not the API field.
 *
 * Retry classes:
 * - "after-backoff": Twilio did not act on the request (or the failure is a
 *   passing state), so sending again after a pause cannot duplicate anything;
 * - "never": repeating gets the same answer until a person fixes something;
 * - "unknown-outcome": Twilio may already have accepted the message, so a
 *   resend could deliver it twice.
 *
 * The 3xxxx codes arrive only in status callbacks and message fetches, never
 * from a create; they are here so delivery status can explain them the same way.
 * Sources: research/twilio.md §4 and twilio.com/docs/api/errors/<code>.
 */

export type RetryClass = "after-backoff" | "never" | "unknown-outcome";

export type TwilioCodeInfo = { readonly retry: RetryClass; readonly cause: string; readonly fix?: string };

const CODES: ReadonlyMap<number, TwilioCodeInfo> = new Map<number, TwilioCodeInfo>([
  [20003, { retry: "never", cause: "the Account SID or Auth Token is wrong", fix: "check accountSid and authToken against the Twilio Console" }],
  [20404, { retry: "never", cause: "the account or resource was not found", fix: "check accountSid and apiBaseUrl" }],
  [20429, { retry: "after-backoff", cause: "too many requests at once (rate limited)", fix: "send less often, or ask Twilio for more concurrency" }],
  [20500, { retry: "unknown-outcome", cause: "Twilio had an internal error" }],
  [20503, { retry: "unknown-outcome", cause: "Twilio was unavailable" }],
  [21211, { retry: "never", cause: "the recipient is not a valid phone number", fix: "use an E.164 mobile number such as +15551234567" }],
  [21212, { retry: "never", cause: "the sender number is not valid", fix: "set fromNumber to a Twilio number in E.164 form" }],
  [21408, { retry: "never", cause: "texting that country is not enabled on the account", fix: "enable the country under Messaging → Settings → Geo permissions in the Twilio Console" }],
  [21602, { retry: "never", cause: "the message body was empty" }],
  [21603, { retry: "never", cause: "no sender was given", fix: "set fromNumber or messagingServiceSid" }],
  [21604, { retry: "never", cause: "no recipient was given" }],
  [21606, { retry: "never", cause: "the sender number is not an SMS-capable number on this account", fix: "set fromNumber to an SMS-capable number you own in Twilio" }],
  [21608, { retry: "never", cause: "trial accounts can only text verified numbers", fix: "verify the number in the Twilio Console or upgrade the account" }],
  [21610, { retry: "never", cause: "the number opted out by texting STOP", fix: "nothing is sent until they text START" }],
  [21611, { retry: "never", cause: "the sender has too many messages queued", fix: "wait for the queue to drain before sending more" }],
  [21612, { retry: "never", cause: "Twilio cannot reach that number by SMS from this sender", fix: "check the recipient, or send from a different number" }],
  [21614, { retry: "never", cause: "the number cannot receive SMS (likely a landline)" }],
  [21617, { retry: "never", cause: "the message was longer than 1,600 characters", fix: "lower textChunkLimit to 1600 or less" }],
  [21701, { retry: "never", cause: "the Messaging Service does not exist", fix: "check messagingServiceSid" }],
  [30001, { retry: "after-backoff", cause: "the sender's queue overflowed" }],
  [30002, { retry: "never", cause: "the Twilio account is suspended", fix: "contact Twilio support" }],
  [30003, { retry: "after-backoff", cause: "the handset was unreachable (off or out of coverage)" }],
  [30004, { retry: "never", cause: "the recipient or their carrier blocked the message" }],
  [30005, { retry: "never", cause: "the number is unknown to its carrier" }],
  [30006, { retry: "never", cause: "the number is a landline or its carrier is unreachable" }],
  [30007, { retry: "never", cause: "a carrier filtered the message as spam", fix: "register the sender (A2P 10DLC or toll-free verification) and review the content" }],
  [30008, { retry: "after-backoff", cause: "the carrier reported an unknown error" }],
  [30022, { retry: "after-backoff", cause: "the 10DLC throughput limit was exceeded" }],
  [30023, { retry: "after-backoff", cause: "the 10DLC daily message cap was reached" }],
  [30024, { retry: "never", cause: "the numeric sender is not provisioned with the carrier", fix: "contact Twilio support" }],
  [30032, { retry: "never", cause: "the toll-free number is not verified", fix: "complete Toll-Free Verification in the Twilio Console" }],
  [30033, { retry: "never", cause: "the 10DLC campaign is suspended", fix: "resolve the suspension in the Twilio Console" }],
  [30034, { retry: "never", cause: "the number is not registered for US A2P 10DLC", fix: "register the number to an A2P campaign in the Twilio Console" }],
  [30035, { retry: "never", cause: "the number's A2P 10DLC registration is still pending", fix: "wait for registration to finish" }],
]);

export function describeTwilioCode(code: number | undefined): TwilioCodeInfo | undefined {
  return code === undefined ? undefined : CODES.get(code);
}

