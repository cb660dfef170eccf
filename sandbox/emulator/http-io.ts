import type { IncomingMessage, ServerResponse } from "node:http";

/** Form or query fields; a key sent more than once (e.g. `MediaUrl`) becomes an array. */
export type FormFields = Record<string, string | string[]>;

export async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

export function parseForm(params: URLSearchParams): FormFields {
  const fields: FormFields = {};
  for (const [key, value] of params) {
    const existing = fields[key];
    if (existing === undefined) fields[key] = value;
    else if (Array.isArray(existing)) existing.push(value);
    else fields[key] = [existing, value];
  }
  return fields;
}

/** The first value of a field, so a repeated scalar field cannot crash validation. */
export function firstValue(fields: FormFields, key: string): string | undefined {
  const value = fields[key];
  return Array.isArray(value) ? value[0] : value;
}

export function allValues(fields: FormFields, key: string): string[] {
  const value = fields[key];
  if (value === undefined) return [];
  return Array.isArray(value) ? [...value] : [value];
}

export interface BasicCredentials {
  username: string;
  password: string;
}

export function parseBasicAuth(header: string | undefined): BasicCredentials | null {
  const match = /^Basic\s+(\S+)$/i.exec(header ?? "");
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  if (colon < 0) return null;
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1) };
}

export interface PlainResponse {
  status: number;
  headers?: Record<string, string>;
  /** Objects are sent as JSON; strings and Buffers are sent verbatim with whatever Content-Type `headers` gives. */
  body: unknown;
}

export function send(res: ServerResponse, response: PlainResponse): void {
  const isBytes = Buffer.isBuffer(response.body);
  const isText = typeof response.body === "string";
  const payload = isBytes || isText ? (response.body as Buffer | string) : JSON.stringify(response.body);
  res.writeHead(response.status, {
    "Content-Type": isBytes ? "application/octet-stream" : isText ? "text/plain; charset=utf-8" : "application/json; charset=utf-8",
    "Content-Length": Buffer.byteLength(payload),
    ...response.headers,
  });
  res.end(payload);
}
