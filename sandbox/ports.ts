import { createServer } from "node:net";
import type { AddressInfo } from "node:net";

function tryListen(port: number): Promise<number | null> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(null));
    server.listen(port, "127.0.0.1", () => {
      const { port: bound } = server.address() as AddressInfo;
      server.close(() => resolve(bound));
    });
  });
}

/**
 * `preferred` when it is free on 127.0.0.1, else any free port, so a second
 * sandbox or another program on the usual port never stops a start. 0 asks
 * for any free port straight away.
 */
export async function loopbackPort(preferred: number): Promise<number> {
  if (preferred !== 0) {
    const bound = await tryListen(preferred);
    if (bound !== null) return bound;
  }
  const any = await tryListen(0);
  if (any === null) throw new Error("no free loopback port");
  return any;
}
