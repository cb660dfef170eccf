// The host's own plugin-schema validator: `openclaw config validate` runs
// `validateJsonSchemaValue` (TypeBox) on `channels.twilio-sms` with the
// manifest's schema, and this SDK subpath exports that very function. Its
// .d.ts is not shipped, so the shape we use is declared here.
// @ts-expect-error -- openclaw excludes dist/plugin-sdk/json-schema-runtime.d.ts from its package.
import { validateJsonSchemaValue } from "openclaw/plugin-sdk/json-schema-runtime";

export type HostSchemaError = { path: string; message: string; text: string; allowedValues?: string[] };

type Validate = (params: { schema: unknown; value: unknown; applyDefaults: boolean; cache?: boolean }) =>
  | { ok: true; value: unknown }
  | { ok: false; errors: HostSchemaError[] };

/** What the host reports for a `channels.twilio-sms` value: [] when it accepts it. */
export function hostSchemaErrors(schema: unknown, value: unknown): HostSchemaError[] {
  const result = (validateJsonSchemaValue as Validate)({ schema, value, applyDefaults: true, cache: false });
  return result.ok ? [] : result.errors;
}
