// Calls a running gateway's own RPC methods over its WebSocket control plane
// (docs/gateway/protocol/*), as the CLI and the Control UI do, without paying
// the 5-10 s Node start-up of an `openclaw` CLI process per call.
//
// One connection per call keeps it simple and survives gateway restarts; a
// connect costs a few milliseconds on loopback.
import { createHash, generateKeyPairSync, randomUUID, sign } from "node:crypto";
import type { KeyObject } from "node:crypto";

/** An RPC that the gateway answered with `ok: false`. */
export class GatewayRpcError extends Error {
  readonly method: string;
  readonly code: string;
  readonly details: unknown;
  constructor(method: string, code: string, message: string, details?: unknown) {
    super(`${method}: ${code}: ${message}`);
    this.name = "GatewayRpcError";
    this.method = method;
    this.code = code;
    this.details = details;
  }
}

export type GatewayRpc = (method: string, params?: unknown, options?: { timeoutMs?: number }) => Promise<unknown>;

type Frame =
  | { type: "event"; event: string; payload?: { nonce?: string; ts?: number } }
  | { type: "res"; id: string; ok: boolean; payload?: unknown; error?: { code?: string; message?: string; details?: unknown } };

// The gateway's built-in backend helper identity; mode and id are signed into the device proof.
const CLIENT = { id: "gateway-client", mode: "backend", version: "sandbox" } as const;
const ROLE = "operator";
const SCOPES = ["operator.admin"];

type DeviceIdentity = { id: string; publicKey: string; privateKey: KeyObject };

/** A fresh Ed25519 device identity; a loopback client with the gateway token is paired on first connect. */
function createDeviceIdentity(): DeviceIdentity {
  const { publicKey, privateKey } = generateKeyPairSync("ed25519");
  // The raw 32-byte key is the tail of its SPKI encoding.
  const raw = publicKey.export({ type: "spki", format: "der" }).subarray(-32);
  return { id: createHash("sha256").update(raw).digest("hex"), publicKey: raw.toString("base64url"), privateKey };
}

function deviceProof(device: DeviceIdentity, token: string, nonce: string, signedAt: number) {
  // Device auth payload v3 (gateway-client/src/device-auth.ts): every field the gateway re-derives.
  const payload = ["v3", device.id, CLIENT.id, CLIENT.mode, ROLE, SCOPES.join(","), String(signedAt), token, nonce, process.platform, ""].join("|");
  return { id: device.id, publicKey: device.publicKey, signature: sign(null, Buffer.from(payload), device.privateKey).toString("base64url"), signedAt, nonce };
}

/** An `rpc(method, params)` for the gateway at `baseUrl` (http://127.0.0.1:<port>) with token auth. */
export function gatewayRpc(baseUrl: string, token: string): GatewayRpc {
  const device = createDeviceIdentity();
  const wsUrl = baseUrl.replace(/^http/, "ws");

  return (method, params = {}, { timeoutMs = 30_000 } = {}) =>
    new Promise((resolve, reject) => {
      const ws = new WebSocket(wsUrl);
      const connectId = randomUUID();
      const callId = randomUUID();
      let settled = false;
      const finish = (error: Error | undefined, value?: unknown) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        ws.close();
        if (error) reject(error);
        else resolve(value);
      };
      const timer = setTimeout(() => finish(new Error(`${method}: no answer from ${wsUrl} within ${timeoutMs} ms`)), timeoutMs);
      ws.addEventListener("error", () => finish(new Error(`${method}: cannot reach the gateway at ${wsUrl}`)));
      ws.addEventListener("close", (event) => finish(new Error(`${method}: the gateway closed the connection (${event.code} ${event.reason})`)));
      ws.addEventListener("message", (event) => {
        const frame = JSON.parse(String(event.data)) as Frame;
        if (frame.type === "event" && frame.event === "connect.challenge") {
          const { nonce = "", ts = Date.now() } = frame.payload ?? {};
          ws.send(
            JSON.stringify({
              type: "req",
              id: connectId,
              method: "connect",
              params: {
                minProtocol: 4,
                maxProtocol: 4,
                client: { id: CLIENT.id, version: CLIENT.version, platform: process.platform, mode: CLIENT.mode },
                role: ROLE,
                scopes: SCOPES,
                caps: [],
                auth: { token },
                device: deviceProof(device, token, nonce, ts),
              },
            }),
          );
          return;
        }
        if (frame.type !== "res") return;
        if (!frame.ok) {
          const { code = "ERROR", message = "failed", details } = frame.error ?? {};
          finish(new GatewayRpcError(frame.id === connectId ? "connect" : method, code, message, details));
          return;
        }
        if (frame.id === connectId) ws.send(JSON.stringify({ type: "req", id: callId, method, params }));
        else if (frame.id === callId) finish(undefined, frame.payload);
      });
    });
}
