/**
 * Runs one admitted SMS through the SDK: ingress (pairing / allowlist, the
 * SDK's way) → pairing challenge or agent route → inbound context → turn,
 * with the reply sent back through our own outbound pipeline. Throws when the
 * turn failed without any visible reply, so the caller can apologise once.
 */
import type { OpenClawConfig } from "openclaw/plugin-sdk/channel-core";
import type { PluginRuntime } from "openclaw/plugin-sdk/runtime-store";
import {
  createAcceptedChannelDeliveryResult,
  formatInboundMediaUnavailableText,
  formatMediaPlaceholderText,
  logInboundDrop,
  readAgentRunTerminalOutcome,
} from "openclaw/plugin-sdk/channel-inbound";
import type { ChannelInboundTurnPlan } from "openclaw/plugin-sdk/channel-inbound";
import { createChannelPairingController } from "openclaw/plugin-sdk/channel-pairing";
import { getAgentScopedMediaLocalRoots } from "openclaw/plugin-sdk/media-local-roots";
import { CHANNEL_ID } from "../config/accounts.ts";
import type { ResolvedAccount } from "../config/accounts.ts";
import { maskPhone } from "../mask.ts";
import { normalizeAllowEntry, TARGET_PREFIX } from "../phone.ts";
import { receiptKind, receiptResults, type SentPart } from "../outbound/receipts.ts";
import { loadAttachments, mediaUrlsOf, replyWithAttachments } from "../outbound/attachments.ts";
import { MAX_INBOUND_MEDIA, type InboundMediaRef } from "../media/inbound-plan.ts";
import type { InboundMediaResult } from "../media/inbound.ts";
import type { Reply } from "./account.ts";
import type { InboundSms } from "./form.ts";
import { lateNotice } from "./late.ts";

type IngressParams = Parameters<PluginRuntime["channel"]["inbound"]["ingress"]["resolveStable"]>[0];

const PHONE_IDENTITY = {
  key: "phone",
  kind: "phone",
  sensitivity: "pii",
  entryIdPrefix: "twilio-sms-allow",
  normalize: (raw: string) => {
    const entry = normalizeAllowEntry(raw);
    return entry === "*" || entry.startsWith("+") ? entry : null;
  },
  isWildcardEntry: (value: string) => value.trim() === "*",
} satisfies NonNullable<IngressParams["identity"]>;

export type DispatchDeps = {
  runtime: PluginRuntime;
  cfg: OpenClawConfig;
  account: ResolvedAccount;
  /** Sends the reply to the sender through the outbound pipeline (SMS, or MMS with files); returns each part's receipt. */
  reply: Reply;
  log: { info(message: string): void; warn(message: string): void };
  now: () => number;
  /** When the webhook acknowledged the text; a text that waited long reaches the agent with a note saying so. */
  receivedAt: number;
  /**
   * Downloads the text's attachments into the SDK media store (`takeInboundMedia`
   * bound to this account); never throws, failures come back as a note.
   */
  takeMedia(refs: readonly InboundMediaRef[], event: { accountSid: string; messageSid: string }): Promise<Pick<InboundMediaResult, "facts" | "note">>;
  /** Called when a new pairing request was created and its code texted to the sender. */
  onPairingRequested?(number: string): void;
};

export type DispatchOutcome = "dispatched" | "pairing" | "blocked";

export function pairingReplyText(code: string): string {
  return `This number isn't approved to text this assistant yet. Pairing code: ${code}\nThe owner can approve it with: openclaw pairing approve ${CHANNEL_ID} ${code}`;
}

/**
 * The attachments to take: the webhook's refs, or, for a text journaled before
 * refs were kept, one URL-less ref per counted item so the agent hears they are gone.
 */
export function inboundMediaRefs(event: InboundSms): InboundMediaRef[] {
  if (event.media) return event.media;
  return Array.from({ length: Math.min(Math.max(0, event.numMedia), MAX_INBOUND_MEDIA) }, (_, index) => ({ index, url: undefined, declaredType: undefined }));
}

export async function dispatchInboundSms(event: InboundSms, deps: DispatchDeps): Promise<DispatchOutcome> {
  const { runtime, cfg, account, log } = deps;
  const channel = runtime.channel;
  const accountId = account.accountId;
  const pairing = createChannelPairingController({ core: runtime, channel: CHANNEL_ID, accountId });
  const caption = event.body.trim();
  const hasControlCommand = caption !== "" && channel.commands.isControlCommandMessage(caption, cfg);
  const computeCommandAuth = caption !== "" && channel.commands.shouldComputeCommandAuthorized(caption, cfg);

  const ingressParams = {
    channelId: CHANNEL_ID,
    accountId,
    cfg,
    identity: PHONE_IDENTITY,
    subject: { stableId: event.from },
    conversation: { kind: "direct", id: event.from },
    event: { kind: "message", authMode: "inbound", mayPair: true },
    dmPolicy: account.dmPolicy,
    allowFrom: account.allowFrom,
    readStoreAllowFrom: async () => await pairing.readAllowFromStore(),
    command: computeCommandAuth ? { allowTextCommands: true, hasControlCommand } : false,
  } satisfies IngressParams;

  const decision = await channel.inbound.ingress.resolveStable(ingressParams);
  if (decision.ingress.admission === "pairing-required") {
    const challenge = await pairing.issueChallenge({
      senderId: event.from,
      senderIdLine: `Your number: ${event.from}`,
      buildReplyText: ({ code }) => pairingReplyText(code),
      sendPairingReply: async (text) => {
        await deps.reply(text);
      },
      onReplyError: (error) => log.warn(`could not send the pairing code to ${maskPhone(event.from)}: ${String(error)}`),
    });
    if (challenge.created) deps.onPairingRequested?.(event.from);
    return "pairing";
  }
  if (decision.ingress.admission !== "dispatch") {
    logInboundDrop({
      log: (message) => log.info(message),
      channel: CHANNEL_ID,
      reason: decision.ingress.reasonCode,
      onceKey: JSON.stringify([accountId, decision.ingress.reasonCode]),
    });
    return "blocked";
  }

  const route = channel.routing.resolveAgentRoute({ cfg, channel: CHANNEL_ID, accountId, peer: { kind: "direct", id: event.from } });
  // The docs require the bound re-resolve after route selection; its result is what the context carries.
  const channelIngress = await channel.inbound.ingress.resolveStable({
    ...ingressParams,
    contextBinding: { agentId: route.agentId, sessionKey: route.sessionKey, messageId: event.messageSid, inboundEventKind: "user_request" },
  });
  if (channelIngress.ingress.admission !== "dispatch") return "blocked";
  const authorized = channelIngress.commandAccess.authorized;

  const taken = await deps.takeMedia(inboundMediaRefs(event), event);
  const media = taken.facts.length > 0 ? taken.facts : undefined;
  // The agent always gets the caption plus what could not be taken, so it can answer instead of leaving the sender in silence.
  // A media-only text still needs a body, or core would see an empty message and skip the turn.
  const body = caption || (media ? formatMediaPlaceholderText(media) : "");
  const text = taken.note ? formatInboundMediaUnavailableText({ body, notice: taken.note }) : body;
  const late = lateNotice(deps.receivedAt, deps.now());
  const agentText = late ? `${late}\n${text}` : text;
  const peer = `${TARGET_PREFIX}:${event.from}`;
  // When it was sent, not when its turn came: the agent's envelope shows the real time.
  const timestamp = deps.receivedAt;

  const ctxPayload = channel.inbound.buildContext({
    channel: CHANNEL_ID,
    accountId,
    messageId: event.messageSid,
    timestamp,
    from: peer,
    sender: { id: event.from },
    conversation: { kind: "direct", id: event.from, label: maskPhone(event.from) },
    route: {
      agentId: route.agentId,
      accountId: route.accountId,
      dmScope: route.dmScope,
      routeSessionKey: route.sessionKey,
      mainSessionKey: route.mainSessionKey,
    },
    reply: { to: peer },
    message: { rawBody: text, body: agentText, bodyForAgent: agentText, commandBody: caption, inboundEventKind: "user_request" },
    access: { commands: { authorized } },
    ...(hasControlCommand ? { command: { kind: "text-slash" as const, body: caption, authorized } } : {}),
    ...(media ? { media } : {}),
    channelIngress,
  });

  // The agent's files go out as MMS with its text; a file that cannot go leaves a note instead.
  const replyWithMedia = (text: string, urls: readonly string[]) =>
    replyWithAttachments({
      text,
      urls,
      load: (list) => loadAttachments(list, { mediaLocalRoots: getAgentScopedMediaLocalRoots(cfg, route.agentId) }),
      reply: deps.reply,
      warn: (reason) => log.warn(`the reply to ${maskPhone(event.from)} went out without its attachments: ${reason}`),
    });

  let visibleReplySent = false;
  let deliveryFailed = false;
  // No `durable` branch: core calls our deliver directly instead of queueing through its outbound store.
  const delivery: ChannelInboundTurnPlan["delivery"] = {
    deliver: async (payload) => {
      const text = payload.text?.trim() ?? "";
      const urls = mediaUrlsOf(payload);
      if (!text && urls.length === 0) return { visibleReplySent: false };
      const parts = urls.length === 0 ? await deps.reply(text) : await replyWithMedia(text, urls);
      visibleReplySent = true;
      // The same per-part receipt (SID, status, segments, encoding) as `message send`.
      return createAcceptedChannelDeliveryResult({ results: receiptResults(parts), kind: receiptKind(parts), content: text });
    },
    onError: (error, info) => {
      deliveryFailed = true;
      log.warn(`the ${info.kind} reply to ${maskPhone(event.from)} failed: ${error instanceof Error ? error.message : String(error)}`);
    },
    observeMessageSent: true,
  };

  let turnFailed = false;
  let failure: unknown;
  try {
    const result = await channel.inbound.run({
      channel: CHANNEL_ID,
      accountId,
      raw: event,
      adapter: {
        ingest: (raw) => ({ id: raw.messageSid, timestamp, rawText: text, textForAgent: agentText, textForCommands: caption }),
        resolveTurn: () => ({
          cfg,
          channel: CHANNEL_ID,
          accountId,
          ctxPayload,
          delivery,
          route: { agentId: route.agentId, sessionKey: route.sessionKey, dmScope: route.dmScope },
          replyOptions: { disableBlockStreaming: true },
          record: { onRecordError: (error) => log.warn(`session record failed: ${String(error)}`) },
        }),
      },
    });
    turnFailed = result.dispatched && readAgentRunTerminalOutcome(result.dispatchResult) === "failed";
  } catch (error) {
    turnFailed = true;
    failure = error;
  }
  if ((turnFailed || deliveryFailed) && !visibleReplySent) {
    throw failure instanceof Error ? failure : new Error("the agent turn produced no reply");
  }
  return "dispatched";
}
