// Twilio's default keyword handling on long codes and toll-free numbers (REVOKE and OPTOUT since May 2025).
const OPT_OUT = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT"]);
const OPT_IN = new Set(["START", "YES", "UNSTOP"]);

/** Only a message that is the keyword alone counts: "STOP please" does not unsubscribe. */
export function optOutEffect(body: string): "opt-out" | "opt-in" | null {
  const word = body.trim().toUpperCase();
  if (OPT_OUT.has(word)) return "opt-out";
  if (OPT_IN.has(word)) return "opt-in";
  return null;
}
