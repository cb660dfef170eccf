import type { EmulatedMessagingService, EmulatedTollfreeVerification } from "./compliance.ts";
import { newCampaignSid, newVerificationSid } from "./compliance.ts";
import { newSid } from "./sids.ts";

/** Fixed so that sandboxes and test fixtures can hard-code them. */
export const DEFAULT_ACCOUNT_SID = "AC0123456789abcdef0123456789abcdef";
export const DEFAULT_AUTH_TOKEN = "fedcba9876543210fedcba9876543210";

export interface EmulatorAccountOptions {
  accountSid: string;
  authToken: string;
  /** When given, `From` must be one of these (21606 otherwise). When omitted, any `From` is accepted. */
  phoneNumbers?: string[];
  /** When given, `MessagingServiceSid` must be one of these (21701 otherwise). When omitted, any is accepted. */
  messagingServiceSids?: string[];
  /** Messaging Services with their numbers and A2P 10DLC campaign (Messaging v1). None by default: every long code is unregistered. */
  messagingServices?: EmulatedMessagingService[];
  /** Toll-free verifications by number. None by default: every toll-free number is unverified. */
  tollfreeVerifications?: EmulatedTollfreeVerification[];
}

export interface IncomingNumber {
  sid: string;
  phoneNumber: string;
  smsUrl: string;
  smsMethod: string;
  dateCreated: Date;
}

export interface AccountState {
  sid: string;
  token: string;
  restrictsFrom: boolean;
  numbers: Map<string, IncomingNumber>;
  services: Set<string> | null;
  optedOut: Set<string>;
  messagingServices: EmulatedMessagingService[];
  campaignSids: Map<string, string>;
  tollfreeVerifications: (EmulatedTollfreeVerification & { sid: string })[];
}

export function createAccountState(options: EmulatorAccountOptions): AccountState {
  const numbers = new Map<string, IncomingNumber>();
  for (const phoneNumber of options.phoneNumbers ?? []) addIncomingNumber(numbers, phoneNumber);
  return {
    sid: options.accountSid,
    token: options.authToken,
    restrictsFrom: options.phoneNumbers !== undefined,
    numbers,
    services: options.messagingServiceSids ? new Set(options.messagingServiceSids) : null,
    optedOut: new Set(),
    messagingServices: options.messagingServices ?? [],
    campaignSids: new Map((options.messagingServices ?? []).map((service) => [service.sid, newCampaignSid()])),
    tollfreeVerifications: (options.tollfreeVerifications ?? []).map((verification) => ({ ...verification, sid: newVerificationSid() })),
  };
}

/** Registers a number as owned by the account (like buying it), keeping the existing entry if present. */
export function addIncomingNumber(numbers: Map<string, IncomingNumber>, phoneNumber: string): IncomingNumber {
  let entry = numbers.get(phoneNumber);
  if (!entry) {
    // A freshly bought Twilio number has no SMS webhook until someone configures one.
    entry = { sid: newSid("PN"), phoneNumber, smsUrl: "", smsMethod: "POST", dateCreated: new Date() };
    numbers.set(phoneNumber, entry);
  }
  return entry;
}
