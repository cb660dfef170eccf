/**
 * Cheap check the host runs before loading the runtime: does the environment
 * alone configure the default account? Declared in package.json
 * `openclaw.channel.configuredState`.
 */
export function hasTwilioSmsEnvConfiguration(env: Record<string, string | undefined> = process.env): boolean {
  const has = (name: string) => Boolean(env[name]?.trim());
  return has("TWILIO_ACCOUNT_SID") && has("TWILIO_AUTH_TOKEN") && (has("TWILIO_SMS_FROM") || has("TWILIO_MESSAGING_SERVICE_SID"));
}
