/**
 * The JSON schema in `openclaw.plugin.json`, generated from the zod schema.
 * It is all `openclaw config validate` (and `config set`, and the gateway's
 * own config check) ever runs for `channels.twilio-sms`: the host compiles it
 * with TypeBox and prints TypeBox's English wording, and it never calls our
 * zod schema or any other plugin code there.
 *
 * TypeBox has no custom-message keyword; the one piece of schema text the
 * host prints is an allowed value (`must be equal to one of the allowed values
 * (allowed: "…")`). So every check that would print a raw regex or a bare
 * "must match a schema in anyOf" is written as `if <rule holds> … else
 * enum: [<our message>]`: a value that breaks the rule fails against an enum
 * whose only entry is the friendly message, and the host prints that message
 * under the offending key (followed by TypeBox's `must match "else" schema`).
 */
import { z } from "zod";
import { ChannelConfigSchema, DEFAULT_WEBHOOK_PATH, RENAMED_KEYS } from "./schema.ts";

type JsonSchema = Record<string, unknown>;

/** The channel section's JSON schema (`channelConfigs["twilio-sms"].schema`). */
export function channelConfigJsonSchema(): JsonSchema {
  const schema = z.toJSONSchema(ChannelConfigSchema, {
    target: "draft-07",
    io: "input",
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema }) => {
      if (zodSchema._zod.def.type === "string" && typeof jsonSchema.pattern === "string") {
        explainPattern(jsonSchema as JsonSchema, zodSchema as unknown as z.ZodString);
      }
    },
  }) as JsonSchema;
  delete schema.$schema;
  const properties = schema.properties as Record<string, JsonSchema>;
  const account = (properties.accounts as { additionalProperties?: JsonSchema } | undefined)?.additionalProperties;
  if (account) account.allOf = objectRules();
  schema.allOf = [...objectRules(), ...rootOpenRules()];
  for (const object of [schema, account]) if (object) nameRenamedKeys(object);
  return schema;
}

/**
 * A key an earlier release had is declared where it lived, as a value nothing
 * fits but its hint, so the host names the replacement instead of printing
 * `must not have additional properties`.
 */
function nameRenamedKeys(object: JsonSchema): void {
  const properties = object.properties as Record<string, { properties?: Record<string, JsonSchema> }>;
  for (const [key, { under, hint }] of Object.entries(RENAMED_KEYS)) {
    const parent = properties[under]?.properties;
    if (parent) parent[key] = { deprecated: true, description: hint, enum: [hint], not: { const: hint } };
  }
}

/**
 * A zod message ("must be your Twilio phone number in E.164 form, …") as the
 * host will print it after "allowed:" — a description of what fits. The host
 * JSON-quotes it, so double quotes become single ones rather than `\"`.
 */
export function asAllowedValue(message: string): string {
  return message.replace(/^must be /, "").replaceAll('"', "'");
}

/** `{ if: rule, else: <enum of one message> }`; a string value equal to the message itself still fails. */
function unless(rule: JsonSchema, message: string): JsonSchema {
  const hint = asAllowedValue(message);
  return { if: rule, else: { enum: [hint], not: { const: hint } } };
}

/** Replaces a regex check with the same check carrying zod's own message for it. */
function explainPattern(jsonSchema: JsonSchema, zodSchema: z.ZodString): void {
  // NUL matches none of our patterns, so parsing it yields each regex check's message.
  const result = zodSchema.safeParse("\u0000");
  const issue = result.error?.issues.find((candidate) => candidate.code === "invalid_format");
  if (!issue) return;
  const pattern = jsonSchema.pattern as string;
  delete jsonSchema.pattern;
  Object.assign(jsonSchema, unless({ pattern }, issue.message));
}

/**
 * "When `when` holds, `rule` must hold", written as `if not … else` because
 * TypeBox drops the inner errors of a failing `then` (it prints only `must
 * match "then" schema`) but reports those of a failing `else`.
 */
function whenever(when: JsonSchema, rule: JsonSchema): JsonSchema {
  return { if: { not: when }, else: rule };
}

/** A rule placed on the object holding `key`: when `when` holds there, `key` gets `message`. */
function keyRule(key: string, when: JsonSchema, message: string): JsonSchema {
  return whenever(when, { properties: { [key]: { enum: [asAllowedValue(message)] } } });
}

const has = (...keys: string[]) => ({ required: keys });
const open = { properties: { dmPolicy: { const: "open" } } };
const withWildcard = { properties: { allowFrom: { contains: { const: "*" } } } };
const withoutWildcard = { properties: { allowFrom: { not: { contains: { const: "*" } } } } };

const OPEN_ALLOW_FROM = 'a list that includes "*": dmPolicy "open" lets anyone text the agent; or use dmPolicy "allowlist"';
const OPEN_NO_ALLOW_FROM = 'dmPolicy "open" only with allowFrom: ["*"] (anyone may text the agent); otherwise "pairing" or "allowlist"';

/** Rules each object (the root, and each named account) checks on its own keys. */
function objectRules(): JsonSchema[] {
  // An http(s) URL with no path can never be the URL Twilio signs.
  const noPath = "^https?://[^/?#\\s]+/?(?:[?#].*)?$";
  const withPath = "^https?://[^/?#\\s]+/[^?#\\s]";
  // DEFAULT_WEBHOOK_PATH holds no regex metacharacters.
  const onDefaultPath = `^https?://[^/?#\\s]+${DEFAULT_WEBHOOK_PATH}(?:[?#].*)?$`;
  return [
    keyRule("allowFrom", { allOf: [has("dmPolicy", "allowFrom"), open, withoutWildcard] }, OPEN_ALLOW_FROM),
    keyRule(
      "publicUrl",
      // (unless the gateway listens on "/" itself)
      { allOf: [has("publicUrl"), { properties: { publicUrl: { pattern: noPath } } }, { not: { allOf: [has("webhookPath"), { properties: { webhookPath: { const: "/" } } }] } }] },
      `the full webhook URL Twilio posts to, path included, e.g. https://sms.example.com${DEFAULT_WEBHOOK_PATH}`,
    ),
    keyRule(
      "publicUrl",
      {
        allOf: [has("publicUrl"), { not: has("webhookPath") }, { properties: { publicUrl: { pattern: withPath, not: { pattern: onDefaultPath } } } }],
      },
      `a URL ending in ${DEFAULT_WEBHOOK_PATH}, where the gateway listens; or set webhookPath to the path of this URL`,
    ),
  ];
}

/**
 * dmPolicy "open" needs "*" in allowFrom. A named account inherits both keys
 * from the root, so the root checks, besides itself, each account that leans
 * on one of its values.
 */
function rootOpenRules(): JsonSchema[] {
  const openWithNoList = keyRule("dmPolicy", { allOf: [has("dmPolicy"), open, { not: has("allowFrom") }] }, OPEN_NO_ALLOW_FROM);
  const accounts = (rule: JsonSchema) => ({ properties: { accounts: { additionalProperties: rule } } });
  return [
    openWithNoList,
    // The root's list has no "*": an account open on its own needs its own list with one.
    whenever({ not: { allOf: [has("allowFrom"), withWildcard] } }, accounts(openWithNoList)),
    // The root is open: an account that inherits the policy and lists its own senders needs "*" among them.
    whenever(
      { allOf: [has("dmPolicy"), open] },
      accounts(keyRule("allowFrom", { allOf: [{ not: has("dmPolicy") }, has("allowFrom"), withoutWildcard] }, OPEN_ALLOW_FROM)),
    ),
  ];
}
