/**
 * Reads `authToken` from its three homes: a plain string, an OpenClaw
 * SecretRef (already materialised by the gateway's secrets runtime when the
 * account runs), or `authTokenFile`.
 */
import { readFileSync } from "node:fs";
import { resolveSecretInputString } from "openclaw/plugin-sdk/secret-input";

export type TokenSource = "config" | "secret-ref" | "file" | "env" | "missing";

export type TokenResolution =
  | { status: "available"; value: string; source: TokenSource }
  | { status: "unavailable"; source: TokenSource; reason: string };

export function resolveAuthToken(params: {
  authToken: unknown;
  authTokenFile: string | undefined;
  envToken: string | undefined;
  path: string;
  readFile?: (path: string) => string;
}): TokenResolution {
  if (params.authToken !== undefined) {
    const resolved = resolveSecretInputString({ value: params.authToken, path: params.path, mode: "inspect" });
    if (resolved.status === "available") {
      return { status: "available", value: resolved.value, source: typeof params.authToken === "string" ? "config" : "secret-ref" };
    }
    if (resolved.status === "configured_unavailable") {
      return {
        status: "unavailable",
        source: "secret-ref",
        reason: `${params.path} is a SecretRef the gateway has not resolved; check the secrets provider "${resolved.ref.provider}"`,
      };
    }
  }
  if (params.authTokenFile) {
    const read = params.readFile ?? ((path: string) => readFileSync(path, "utf8"));
    try {
      const value = read(params.authTokenFile).trim();
      if (value) return { status: "available", value, source: "file" };
      return { status: "unavailable", source: "file", reason: `authTokenFile ${params.authTokenFile} is empty` };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "unreadable";
      return { status: "unavailable", source: "file", reason: `authTokenFile ${params.authTokenFile} cannot be read (${code})` };
    }
  }
  if (params.envToken?.trim()) return { status: "available", value: params.envToken.trim(), source: "env" };
  return { status: "unavailable", source: "missing", reason: "authToken is not set" };
}
