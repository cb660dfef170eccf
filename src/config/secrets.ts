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
      const ref = resolved.ref;
      return {
        status: "unavailable",
        source: "secret-ref",
        reason:
          ref.source === "env"
            ? `${params.path} reads the environment variable ${ref.id}, which is not set for the gateway; export ${ref.id} where the gateway runs, then restart it or run openclaw secrets reload`
            : `${params.path} is a ${ref.source} SecretRef ("${ref.provider}", id ${ref.id}) the gateway could not resolve; check secrets.providers.${ref.provider}, then run openclaw secrets reload`,
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

/** An account that names its own token (inline, SecretRef or file) never inherits the root's. */
export function ownsToken(account: Record<string, unknown>): boolean {
  return Object.hasOwn(account, "authToken") || Object.hasOwn(account, "authTokenFile");
}
