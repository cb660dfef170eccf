// One sandbox per state folder. Two gateways on one state folder would fight
// over OpenClaw's own state lock, and a launcher killed with SIGKILL leaves
// its gateway running; the lock file lets the next start clean that up.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

type LockRecord = { pid: number; gatewayPid?: number };

export type SandboxLock = {
  /** Remembers the gateway's pid so a later start can stop it if this launcher dies uncleanly. */
  recordGateway(pid: number | undefined): void;
  release(): void;
};

/** Whether a process with this pid exists (EPERM: it does, owned by someone else). */
function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
  } catch {
    return "";
  }
}

function readRecord(path: string): LockRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, "utf8")) as Partial<LockRecord>;
    return typeof record.pid === "number" ? (record as LockRecord) : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the folder's lock, or throws when a live sandbox holds it. */
export function acquireLock(dir: string, log: (line: string) => void): SandboxLock {
  const path = join(dir, "sandbox.lock");
  const previous = readRecord(path);
  // A recycled pid must not pass for a running sandbox, hence the command-line check.
  if (previous && previous.pid !== process.pid && isAlive(previous.pid) && commandLine(previous.pid).includes("sandbox")) {
    throw new Error(`another sandbox (pid ${previous.pid}) is using ${dir}; stop it with Ctrl-C, or set SANDBOX_DIR to use another folder`);
  }
  const orphan = previous?.gatewayPid;
  if (orphan !== undefined && isAlive(orphan) && commandLine(orphan).includes("openclaw")) {
    log(`stopping gateway pid ${orphan}, left running by an earlier sandbox`);
    for (const target of [-orphan, orphan]) {
      try {
        process.kill(target, "SIGKILL");
      } catch {
        // Gone already, or not a group leader.
      }
    }
  }
  let record: LockRecord = { pid: process.pid };
  const write = () => writeFileSync(path, `${JSON.stringify(record)}\n`);
  write();
  return {
    recordGateway(pid) {
      record = pid === undefined ? { pid: process.pid } : { pid: process.pid, gatewayPid: pid };
      write();
    },
    release() {
      if (readRecord(path)?.pid === process.pid) rmSync(path, { force: true });
    },
  };
}
