// The phone page's Approve button, done the way the Control UI does it: over
// the gateway's own RPC, in milliseconds instead of an `openclaw pairing
// approve` process that takes seconds to start. The RPC names requests by
// sender, not by code, so the code is traced back to the number it was texted to.
import type { ApprovalResult, EmulatedMessage } from "./emulator/index.ts";
import type { GatewayRpc } from "./gateway/rpc.ts";

type PairingRequest = { requestId: string; accountId: string; senderId: string };

/** Approves the pending pairing request behind `code`, which the agent texted to one of `messages`' recipients. */
export async function approvePairingCode(rpc: GatewayRpc, channel: string, messages: readonly EmulatedMessage[], code: string): Promise<ApprovalResult> {
  try {
    return await approve(rpc, channel, messages, code);
  } catch (error) {
    return { ok: false, output: `The gateway refused the approval: ${(error as Error).message}` };
  }
}

async function approve(rpc: GatewayRpc, channel: string, messages: readonly EmulatedMessage[], code: string): Promise<ApprovalResult> {
  const texted = messages.findLast((message) => message.body.includes(`Pairing code: ${code}`));
  if (!texted) return { ok: false, output: `The agent never texted pairing code ${code} from this sandbox.` };
  const { requests } = (await rpc("channels.pairing.list", { channel })) as { requests: PairingRequest[] };
  const request = requests.find((candidate) => candidate.senderId === texted.to);
  if (!request) {
    return { ok: false, output: `No pending pairing request from ${texted.to}: it was approved already, or it expired (codes last an hour). Text again for a new code.` };
  }
  await rpc("channels.pairing.approve", { channel, accountId: request.accountId, requestId: request.requestId });
  return { ok: true, output: `Approved ${channel} sender ${texted.to}.` };
}
