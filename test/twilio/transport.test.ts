// Telling "never sent" apart from "maybe sent" for a request that got no HTTP answer.
// The shapes are the ones axios 1.x builds from Node's socket errors (an AxiosError
// keeping Node's code, with the Node error and its syscall in `cause`); the client
// test produces the real ones against the emulator.
import { describe, expect, it } from "vitest";
import { classifyTransportFailure } from "../../src/twilio/transport.ts";

function axiosError(code: string, cause?: Record<string, unknown>): Error {
  return Object.assign(new Error("axios"), { isAxiosError: true, code, ...(cause ? { cause: Object.assign(new Error(code), cause) } : {}) });
}

describe("classifyTransportFailure", () => {
  it.each([
    ["unknown host", axiosError("ENOTFOUND", { code: "ENOTFOUND", syscall: "getaddrinfo" }), "dns"],
    ["DNS server not answering", axiosError("EAI_AGAIN", { code: "EAI_AGAIN", syscall: "getaddrinfo" }), "dns"],
    ["refused", axiosError("ECONNREFUSED", { code: "ECONNREFUSED", syscall: "connect" }), "connect"],
    ["no route", axiosError("EHOSTUNREACH", { code: "EHOSTUNREACH", syscall: "connect" }), "connect"],
    ["the OS gave up on the TCP handshake", axiosError("ETIMEDOUT", { code: "ETIMEDOUT", syscall: "connect" }), "connect"],
    ["refused on every address (happy eyeballs)", axiosError("ECONNREFUSED", { code: "ECONNREFUSED", errors: [Object.assign(new Error("a"), { code: "ECONNREFUSED", syscall: "connect" })] }), "connect"],
    ["refused, syscall lost", axiosError("ECONNREFUSED"), "connect"],
    ["unknown host, syscall lost", axiosError("ENOTFOUND"), "dns"],
    ["expired certificate", axiosError("CERT_HAS_EXPIRED", { code: "CERT_HAS_EXPIRED" }), "tls"],
    ["self-signed certificate", axiosError("DEPTH_ZERO_SELF_SIGNED_CERT", { code: "DEPTH_ZERO_SELF_SIGNED_CERT" }), "tls"],
    ["certificate for another host", axiosError("ERR_TLS_CERT_ALTNAME_INVALID", { code: "ERR_TLS_CERT_ALTNAME_INVALID" }), "tls"],
    ["axios's own timeout", axiosError("ECONNABORTED"), "in-flight"],
    ["axios's timeout with clarifyTimeoutError", axiosError("ETIMEDOUT"), "in-flight"],
    ["socket hang up", axiosError("ECONNRESET", { code: "ECONNRESET" }), "in-flight"],
    ["reset while reading the answer", axiosError("ECONNRESET", { code: "ECONNRESET", syscall: "read" }), "in-flight"],
    ["broken pipe while writing", axiosError("EPIPE", { code: "EPIPE", syscall: "write" }), "in-flight"],
    ["a TLS record error mid-stream", axiosError("ERR_SSL_DECRYPTION_FAILED_OR_BAD_RECORD_MAC"), "in-flight"],
    ["no code at all", new Error("boom"), "in-flight"],
  ])("%s → %s", (_name, error, stage) => {
    expect(classifyTransportFailure(error).stage).toBe(stage);
  });

  it("keeps Node's code, and names a code-less error plainly", () => {
    expect(classifyTransportFailure(axiosError("ECONNREFUSED", { code: "ECONNREFUSED", syscall: "connect" }))).toEqual({ stage: "connect", code: "ECONNREFUSED" });
    expect(classifyTransportFailure("not even an error")).toEqual({ stage: "in-flight", code: "network error" });
  });
});
