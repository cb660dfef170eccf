/**
 * Masking for logs, status output and error messages. Phone numbers keep the
 * country prefix and last four digits so an operator can still tell senders apart.
 */

export function maskPhone(value: string | undefined | null): string {
  if (!value) return "";
  // An RCS address keeps its prefix, so the log says which way the person texted.
  if (/^rcs:/i.test(value.trim())) return `rcs:${maskPhone(value.trim().slice(4))}`;
  const digits = value.replace(/[^\d]/g, "");
  if (digits.length <= 4) return "*".repeat(digits.length);
  const plus = value.trim().startsWith("+") ? "+" : "";
  // National numbers are ~10 digits, so what precedes them approximates the 1–3 digit country code.
  const head = digits.slice(0, Math.min(3, Math.max(1, digits.length - 10)));
  const tail = digits.slice(-4);
  return `${plus}${head}${"*".repeat(digits.length - head.length - tail.length)}${tail}`;
}

/** SIDs are not secret, but a full Account SID plus a leaked token is a credential pair. */
export function maskSid(value: string | undefined | null): string {
  if (!value) return "";
  return value.length <= 10 ? value : `${value.slice(0, 6)}…${value.slice(-4)}`;
}
