import { describe, expect, it } from "vitest";
import { TwilioApiError, type TransportFailure } from "../../src/errors.ts";
import { decide, RETRY_LIMITS, type RetryDecision } from "../../src/outbound/retry.ts";

const api = (httpStatus: number | undefined, twilioCode?: number, retryAfterSeconds?: number, message = "Twilio error") =>
  new TwilioApiError(message, { httpStatus, twilioCode, retryAfterSeconds });
const first = { attempt: 1, elapsedMs: 0, random: 0 };
const transport = (stage: TransportFailure["stage"], code: string, message: string) => new TwilioApiError(message, { transport: { stage, code } });
const inFlight = (code: string, message: string) => transport("in-flight", code, message);

describe("decide: rate limits are retried with jittered backoff", () => {
  it.each([
    ["no Retry-After, attempt 1, low draw", api(429, 20429), { attempt: 1, elapsedMs: 0, random: 0 }, 250],
    ["no Retry-After, attempt 1, high draw", api(429, 20429), { attempt: 1, elapsedMs: 0, random: 0.999 }, 500],
    ["no Retry-After, attempt 2, mid draw", api(429, 20429), { attempt: 2, elapsedMs: 300, random: 0.5 }, 750],
    ["no Retry-After, attempt 4 is capped by the ceiling", api(429), { attempt: 4, elapsedMs: 2_000, random: 0 }, 2_000],
    ["Retry-After is a floor", api(429, 20429, 3), { attempt: 1, elapsedMs: 0, random: 0 }, 3_000],
    ["Retry-After plus jitter", api(429, 20429, 3), { attempt: 1, elapsedMs: 0, random: 0.5 }, 3_125],
    ["Retry-After 0 still gets jitter", api(429, 20429, 0), { attempt: 2, elapsedMs: 0, random: 0.5 }, 250],
  ])("%s", (_name, error, at, delayMs) => {
    expect(decide({ error, ...at })).toEqual({ kind: "retry", delayMs });
  });

  it.each([
    ["the attempt budget is spent", api(429, 20429), { attempt: 5, elapsedMs: 4_000, random: 0 }, /^still rate limited \(429, code 20429\) after 5 attempts; nothing was sent/],
    ["Retry-After exceeds the time budget", api(429, 20429, 30), first, /^rate limited \(429, code 20429\) and asked for a 30 s wait; stopped after 1 attempt rather than wait past 20 s; nothing was sent$/],
    ["the next wait would pass the time budget", api(429), { attempt: 3, elapsedMs: 19_500, random: 0 }, /stopped after 3 attempts rather than wait past 20 s/],
  ])("fails when %s", (_name, error, at, reason) => {
    const decision = decide({ error, ...at });
    expect(decision.kind).toBe("fail");
    expect((decision as Extract<RetryDecision, { kind: "fail" }>).reason).toMatch(reason);
  });

  it.each([
    [undefined, 0],
    [undefined, 0.999],
    [0, 0.5],
    [1, 0.999],
    [4, 0.999],
  ])("stays within %s s Retry-After, draw %s: at most maxAttempts requests and maxElapsedMs of waiting", (retryAfter, random) => {
    let elapsedMs = 0;
    let attempt = 1;
    for (;;) {
      const decision = decide({ error: api(429, 20429, retryAfter), attempt, elapsedMs, random });
      if (decision.kind !== "retry") break;
      elapsedMs += decision.delayMs;
      attempt++;
    }
    expect(attempt).toBeLessThanOrEqual(RETRY_LIMITS.maxAttempts);
    expect(elapsedMs).toBeLessThanOrEqual(RETRY_LIMITS.maxElapsedMs);
  });
});

describe("decide: answers that may hide a created message are never resent", () => {
  it.each([
    ["500", api(500, 20500), "Twilio answered 500 (20500)"],
    ["502 without a Twilio body", api(502), "Twilio answered 502"],
    ["503", api(503, 20503), "Twilio answered 503 (20503)"],
    ["a timeout once connected", inFlight("ECONNABORTED", "Twilio request failed before a response arrived (timed out)"), "Twilio request failed before a response arrived (timed out)"],
    ["a reset once connected", inFlight("ECONNRESET", "Twilio request failed before a response arrived (ECONNRESET)"), "Twilio request failed before a response arrived (ECONNRESET)"],
    ["an error that is not Twilio's", new TypeError("x is not a function"), "the send failed unexpectedly (TypeError)"],
  ])("%s → unknown outcome", (_name, error, reason) => {
    expect(decide({ error, ...first })).toEqual({ kind: "unknown-outcome", reason });
  });

  it("does not retry a 5xx even on the first attempt with time to spare", () => {
    expect(decide({ error: api(500, 20500), attempt: 1, elapsedMs: 0, random: 0 }).kind).toBe("unknown-outcome");
  });
});

describe("decide: a request that never left this machine created nothing and is retried like a 429", () => {
  it.each([
    ["a refused connection", transport("connect", "ECONNREFUSED", "could not connect to Twilio (ECONNREFUSED)"), "could not connect to Twilio (ECONNREFUSED)"],
    ["an unreachable host", transport("connect", "EHOSTUNREACH", "x"), "could not connect to Twilio (EHOSTUNREACH)"],
    ["an unknown host", transport("dns", "ENOTFOUND", "x"), "could not look up Twilio's API host (ENOTFOUND)"],
    ["a DNS server that did not answer", transport("dns", "EAI_AGAIN", "x"), "could not look up Twilio's API host (EAI_AGAIN)"],
  ])("%s: same backoff as a 429, then fails saying nothing was created", (_name, error, answer) => {
    expect(decide({ error, attempt: 1, elapsedMs: 0, random: 0.5 })).toEqual(decide({ error: api(429, 20429), attempt: 1, elapsedMs: 0, random: 0.5 }));
    expect(decide({ error, attempt: 3, elapsedMs: 1_000, random: 0 })).toEqual({ kind: "retry", delayMs: 1_000 });
    expect(decide({ error, attempt: RETRY_LIMITS.maxAttempts, elapsedMs: 4_000, random: 0 })).toEqual({
      kind: "fail",
      reason: `still ${answer} after 5 attempts; nothing was created, try again shortly`,
    });
  });

  it("a refused certificate fails at once: nothing was created, and retrying cannot help", () => {
    const error = transport("tls", "CERT_HAS_EXPIRED", "Twilio's TLS certificate was not accepted (CERT_HAS_EXPIRED); the request was never sent");
    expect(decide({ error, ...first })).toEqual({
      kind: "fail",
      reason:
        "Twilio's TLS certificate was not accepted (CERT_HAS_EXPIRED); the request was never sent, so nothing was created; check the system clock and any proxy or custom CA between the gateway and apiBaseUrl",
    });
  });
});

describe("decide: permanent refusals fail at once, naming the cause", () => {
  it.each([
    [400, 21211, "the recipient is not a valid phone number (21211); use an E.164 mobile number such as +15551234567"],
    [400, 21408, "texting that country is not enabled on the account (21408); enable the country under Messaging → Settings → Geo permissions in the Twilio Console"],
    [400, 21610, "the number opted out by texting STOP (21610); nothing is sent until they text START"],
    [400, 21612, "Twilio cannot reach that number by SMS from this sender (21612); check the recipient, or send from a different number"],
    [400, 21614, "the number cannot receive SMS (likely a landline) (21614)"],
    [400, 21617, "the message was longer than 1,600 characters (21617); lower textChunkLimit to 1600 or less"],
    [400, 21606, "the sender number is not an SMS-capable number on this account (21606); set fromNumber to an SMS-capable number you own in Twilio"],
    [400, 21212, "the sender number is not valid (21212); set fromNumber to a Twilio number in E.164 form"],
    [400, 21608, "trial accounts can only text verified numbers (21608); verify the number in the Twilio Console or upgrade the account"],
    [400, 21602, "the message body was empty (21602)"],
    [400, 21603, "no sender was given (21603); set fromNumber or messagingServiceSid"],
    [400, 21604, "no recipient was given (21604)"],
    [401, 20003, "the Account SID or Auth Token is wrong (20003); check accountSid and authToken against the Twilio Console"],
  ])("%s / %s", (status, code, reason) => {
    expect(decide({ error: api(status, code), ...first })).toEqual({ kind: "fail", reason });
  });

  it("falls back to Twilio's own words for a code it does not know", () => {
    const error = new TwilioApiError("Twilio error 21999: Something new", { httpStatus: 400, twilioCode: 21999, moreInfo: "https://www.twilio.com/docs/errors/21999" });
    expect(decide({ error, ...first })).toEqual({
      kind: "fail",
      reason: "Twilio error 21999: Something new (see https://www.twilio.com/docs/errors/21999)",
    });
  });
});
