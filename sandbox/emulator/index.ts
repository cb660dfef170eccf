export { DEFAULT_ACCOUNT_SID, DEFAULT_AUTH_TOKEN, type EmulatorAccountOptions } from "./accounts.ts";
export type { EmulatorFault } from "./faults.ts";
export type { FormFields } from "./http-io.ts";
export type { EmulatedMessage } from "./message-resource.ts";
export type { CdnRequest } from "./media-cdn.ts";
export type { MediaFetchRecord } from "./media-fetch.ts";
export type { EmulatedMedia } from "./media-resource.ts";
export type { SmsEncoding } from "./segments.ts";
export {
  startTwilioEmulator,
  type DeliveryTiming,
  type EmulatedRequest,
  type InboundMediaFile,
  type InboundSmsResult,
  type SendInboundSmsOptions,
  type StatusCallbackOptions,
  type TwilioEmulator,
  type TwilioEmulatorOptions,
  type WaitForMessagesOptions,
} from "./server.ts";
export {
  buildInboundSmsParams,
  postTwilioWebhook,
  signTwilioRequest,
  type InboundSmsOptions,
  type PostWebhookOptions,
  type WebhookParams,
  type WebhookResponse,
} from "./webhook-client.ts";
export type { ApprovalResult, PhoneOptions } from "./phone-api.ts";
