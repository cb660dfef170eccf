// Which model the sandbox's agent talks to. By default a deterministic echo
// server on loopback, so the sandbox needs no key and no network. A user who
// wants their real agent says so explicitly:
//   SANDBOX_MODEL=<provider>/<model>      e.g. anthropic/claude-sonnet-4-6, with
//                                         the provider's usual key (ANTHROPIC_API_KEY, …) exported
//   SANDBOX_OPENCLAW_CONFIG=<path>        copy `models`, `env.vars` and
//                                         `agents.defaults.model` from an existing OpenClaw config
// Both can be combined; SANDBOX_MODEL then picks the primary model.
import { readFile } from "node:fs/promises";
import { homedir } from "node:os";
import { resolve } from "node:path";
import JSON5 from "json5";
import type { JsonObject } from "../gateway/runner.ts";

export type ModelChoice =
  | { kind: "echo"; label: string }
  | { kind: "configured"; label: string; extraConfig: JsonObject; env: Record<string, string> };

const MODEL_REF = /^[A-Za-z0-9._-]+\/\S+$/;
const ENV_REF = /\$\{([A-Z_][A-Z0-9_]*)\}/g;

function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function expandHome(path: string): string {
  return path === "~" || path.startsWith("~/") ? `${homedir()}${path.slice(1)}` : path;
}

async function readOpenClawConfig(path: string): Promise<JsonObject> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (error) {
    throw new Error(`SANDBOX_OPENCLAW_CONFIG: cannot read ${path} (${(error as Error).message})`);
  }
  let parsed: unknown;
  try {
    parsed = JSON5.parse(text);
  } catch (error) {
    throw new Error(`SANDBOX_OPENCLAW_CONFIG: ${path} is not valid JSON5 (${(error as Error).message})`);
  }
  if (!isObject(parsed)) throw new Error(`SANDBOX_OPENCLAW_CONFIG: ${path} does not hold a config object`);
  return parsed;
}

// The gateway harness keeps the developer's keys out of test gateways; a user
// who asked for their own model needs them, and so do `${VAR}` references.
function providerEnv(env: NodeJS.ProcessEnv, copied: unknown): Record<string, string> {
  const names = new Set(Object.keys(env).filter((name) => name.endsWith("_API_KEY")));
  for (const match of JSON.stringify(copied ?? null).matchAll(ENV_REF)) names.add(match[1]!);
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== "") out[name] = value;
  }
  return out;
}

export async function chooseModel(env: NodeJS.ProcessEnv): Promise<ModelChoice> {
  const modelRef = env.SANDBOX_MODEL?.trim() || undefined;
  const configPath = env.SANDBOX_OPENCLAW_CONFIG?.trim() || undefined;
  if (modelRef === undefined && configPath === undefined) {
    return { kind: "echo", label: "deterministic echo model (set SANDBOX_MODEL or SANDBOX_OPENCLAW_CONFIG for a real one)" };
  }
  if (modelRef !== undefined && !MODEL_REF.test(modelRef)) {
    throw new Error(`SANDBOX_MODEL must look like <provider>/<model>, e.g. anthropic/claude-sonnet-4-6; got ${JSON.stringify(modelRef)}`);
  }

  let extraConfig: JsonObject = {};
  let primary = modelRef;
  let source = "SANDBOX_MODEL";
  if (configPath !== undefined) {
    const path = resolve(expandHome(configPath));
    const config = await readOpenClawConfig(path);
    const agents = isObject(config.agents) ? config.agents : {};
    const defaults = isObject(agents.defaults) ? agents.defaults : {};
    const model = defaults.model;
    const vars = isObject(config.env) && isObject(config.env.vars) ? config.env.vars : undefined;
    if (isObject(config.models)) extraConfig.models = config.models;
    if (vars) extraConfig.env = { vars };
    if (model !== undefined) extraConfig.agents = { defaults: { model } };
    primary ??= typeof model === "string" ? model : isObject(model) && typeof model.primary === "string" ? model.primary : undefined;
    if (primary === undefined) {
      throw new Error(`SANDBOX_OPENCLAW_CONFIG: ${path} sets no agents.defaults.model.primary; set SANDBOX_MODEL=<provider>/<model> as well`);
    }
    source = modelRef === undefined ? path : `SANDBOX_MODEL, providers from ${path}`;
  }
  if (modelRef !== undefined) {
    const current = isObject(extraConfig.agents) && isObject(extraConfig.agents.defaults) ? extraConfig.agents.defaults.model : undefined;
    const model = isObject(current) ? { ...current, primary: modelRef } : { primary: modelRef };
    extraConfig = { ...extraConfig, agents: { defaults: { model } } };
  }
  return { kind: "configured", label: `${primary} (from ${source})`, extraConfig, env: providerEnv(env, extraConfig) };
}
