// A loopback ClawHub registry for install tests: it answers the package routes
// OpenClaw's `plugins install clawhub:<name>` client calls (OpenClaw 2026.9.x),
// in the wire shape ClawHub's own CLI validates. It reads a release with
// ClawHub's ClawPack reader and checks every body against ClawHub's published
// schemas, so the emulator cannot drift into a shape the real registry never sends.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { basename } from "node:path";
import { parseClawPack } from "clawhub/dist/clawpack.js";
import {
  ApiRoutes,
  ApiV1PackageArtifactResponseSchema,
  ApiV1PackageResponseSchema,
  ApiV1PackageSecurityResponseSchema,
  normalizeOpenClawExternalPluginCompatibility,
} from "clawhub/dist/schema/index.js";

/** The per-release trust record ClawHub serves at `…/versions/<v>/security`. */
export type ClawHubTrust = {
  scanStatus: "clean" | "suspicious" | "malicious" | "pending" | "not-run";
  moderationState: "approved" | "quarantined" | "revoked" | null;
  blockedFromDownload: boolean;
  reasons: string[];
  pending: boolean;
  stale: boolean;
};

export const CLEAN_TRUST: ClawHubTrust = {
  scanStatus: "clean",
  moderationState: "approved",
  blockedFromDownload: false,
  reasons: [],
  pending: false,
  stale: false,
};

export type PublishedRelease = {
  name: string;
  version: string;
  /** Digests of the exact bytes served, as ClawHub records them. */
  sha256: string;
  npmIntegrity: string;
  npmShasum: string;
  size: number;
};

export type ClawHubRegistry = {
  /** Base URL to put in OPENCLAW_CLAWHUB_URL. */
  url: string;
  /** Every request so far as "METHOD /raw/path". */
  requests: string[];
  /** Publishes an `npm pack` tarball under the name and version in its package.json. */
  publish(tarballPath: string, options?: { trust?: Partial<ClawHubTrust>; overview?: string }): Promise<PublishedRelease>;
  /** Replaces the trust record of a published release (a later scan or a moderator's decision). */
  setTrust(name: string, version: string, trust: Partial<ClawHubTrust>, overview?: string): void;
  close(): Promise<void>;
};

type Release = {
  published: PublishedRelease;
  bytes: Buffer;
  tarballName: string;
  createdAt: number;
  trust: ClawHubTrust;
  overview: string;
};

type Package = {
  name: string;
  displayName: string;
  runtimeId: string | null;
  summary: string | null;
  ownerHandle: string | null;
  compatibility: ReturnType<typeof normalizeOpenClawExternalPluginCompatibility>;
  latestVersion: string;
  releases: Map<string, Release>;
};

// A package with openclaw.extensions is a code plugin on ClawHub.
const FAMILY = "code-plugin";
const CLEAN_OVERVIEW = "No findings: static analysis and the malware scan found nothing to review.";

function digest(bytes: Buffer, algorithm: "sha256" | "sha1" | "sha512", encoding: "hex" | "base64"): string {
  return createHash(algorithm).update(bytes).digest(encoding);
}

function stringField(record: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = record?.[key];
  return typeof value === "string" && value.trim() ? value.trim() : undefined;
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

// Errors are plain text, and never 5xx: OpenClaw retries 5xx reads for 14 s.
function sendError(res: ServerResponse, status: number, message: string): void {
  res.writeHead(status, { "content-type": "text/plain; charset=utf-8", "content-length": Buffer.byteLength(message) });
  res.end(message);
}

export async function startClawHubRegistry(): Promise<ClawHubRegistry> {
  const packages = new Map<string, Package>();
  const requests: string[] = [];
  let baseUrl = "";

  const packageRoute = (name: string) => `${baseUrl}${ApiRoutes.packages}/${encodeURIComponent(name)}`;

  // Bodies are built per request from the current state, and each is checked
  // against ClawHub's schema when a release is published or its trust changes.
  function securityBody(pkg: Package, release: Release): unknown {
    const { version, sha256, npmIntegrity, npmShasum } = release.published;
    return ApiV1PackageSecurityResponseSchema.assert({
      package: { name: pkg.name, displayName: pkg.displayName, family: FAMILY },
      release: {
        releaseId: `rel_${sha256.slice(0, 16)}`,
        version,
        artifactKind: "npm-pack",
        artifactSha256: sha256,
        npmIntegrity,
        npmShasum,
        npmTarballName: release.tarballName,
        createdAt: release.createdAt,
      },
      trust: release.trust,
      // OpenClaw requires these two to print its "ClawHub Security Audit" box.
      overview: release.overview,
      securityAuditUrl: `${baseUrl}/plugins/${pkg.name}/security-audit?version=${encodeURIComponent(version)}`,
    });
  }

  function detailBody(pkg: Package): unknown {
    const latest = pkg.releases.get(pkg.latestVersion) as Release;
    const { sha256, size, npmIntegrity, npmShasum } = latest.published;
    return ApiV1PackageResponseSchema.assert({
      package: {
        name: pkg.name,
        displayName: pkg.displayName,
        family: FAMILY,
        runtimeId: pkg.runtimeId,
        channel: "community",
        isOfficial: false,
        summary: pkg.summary,
        ownerHandle: pkg.ownerHandle,
        createdAt: latest.createdAt,
        updatedAt: latest.createdAt,
        latestVersion: pkg.latestVersion,
        tags: { latest: pkg.latestVersion },
        compatibility: pkg.compatibility ?? null,
        artifact: { kind: "npm-pack", sha256, size, format: "tgz", npmIntegrity, npmShasum, npmTarballName: latest.tarballName },
        scanStatus: latest.trust.scanStatus,
      },
      owner: pkg.ownerHandle ? { handle: pkg.ownerHandle, displayName: pkg.ownerHandle } : null,
    });
  }

  function artifactBody(pkg: Package, release: Release): unknown {
    const { version, sha256, size, npmIntegrity, npmShasum } = release.published;
    return ApiV1PackageArtifactResponseSchema.assert({
      package: { name: pkg.name, displayName: pkg.displayName, family: FAMILY },
      version,
      artifact: {
        kind: "npm-pack",
        sha256,
        size,
        format: "tgz",
        npmIntegrity,
        npmShasum,
        npmTarballName: release.tarballName,
        downloadUrl: `${packageRoute(pkg.name)}/versions/${encodeURIComponent(version)}/artifact/download`,
        source: "clawhub",
        artifactKind: "npm-pack",
        artifactSha256: sha256,
        packageName: pkg.name,
        version,
      },
    });
  }

  function sendArtifact(res: ServerResponse, pkg: Package, release: Release): void {
    // ClawHub refuses the bytes of a blocked release outright, not only in its trust record.
    if (release.trust.blockedFromDownload) {
      sendError(res, 403, `${pkg.name}@${release.published.version} is blocked from download`);
      return;
    }
    const { sha256, npmIntegrity, npmShasum, size } = release.published;
    res.writeHead(200, {
      "content-type": "application/octet-stream",
      "content-length": size,
      "content-disposition": `attachment; filename="${release.tarballName}"`,
      "x-clawhub-artifact-sha256": sha256,
      "x-clawhub-npm-integrity": npmIntegrity,
      "x-clawhub-npm-shasum": npmShasum,
      "x-clawhub-npm-tarball-name": release.tarballName,
    });
    res.end(release.bytes);
  }

  const server = createServer((req, res) => {
    const rawPath = (req.url ?? "/").split("?")[0] ?? "/";
    requests.push(`${req.method} ${rawPath}`);
    if (req.method !== "GET") return sendError(res, 405, "Method not allowed");
    const prefix = `${ApiRoutes.packages}/`;
    if (!rawPath.startsWith(prefix)) return sendError(res, 404, "Not found");
    // Clients send the package name as one encoded segment (%40scope%2Fname).
    const [encodedName = "", ...rest] = rawPath.slice(prefix.length).split("/");
    let name: string;
    try {
      name = decodeURIComponent(encodedName);
    } catch {
      return sendError(res, 400, "Malformed package name");
    }
    const pkg = packages.get(name);
    if (!pkg) return sendError(res, 404, "Package not found");
    if (rest.length === 0) return sendJson(res, 200, detailBody(pkg));
    const [versionsWord, encodedVersion = "", ...tail] = rest;
    const release = versionsWord === "versions" ? pkg.releases.get(decodeURIComponent(encodedVersion)) : undefined;
    if (!release) return sendError(res, 404, "Version not found");
    const route = tail.join("/");
    if (route === "artifact") return sendJson(res, 200, artifactBody(pkg, release));
    if (route === "security") return sendJson(res, 200, securityBody(pkg, release));
    if (route === "artifact/download") return sendArtifact(res, pkg, release);
    return sendError(res, 404, "Not found");
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  function findRelease(name: string, version: string): { pkg: Package; release: Release } {
    const pkg = packages.get(name);
    const release = pkg?.releases.get(version);
    if (!pkg || !release) throw new Error(`clawhub registry: ${name}@${version} is not published`);
    return { pkg, release };
  }

  return {
    url: baseUrl,
    requests,
    async publish(tarballPath, options = {}) {
      const bytes = await readFile(tarballPath);
      const clawpack = parseClawPack(new Uint8Array(bytes));
      const name = clawpack.packageName;
      const version = clawpack.packageVersion;
      const manifest = clawpack.pluginManifest;
      const published: PublishedRelease = {
        name,
        version,
        sha256: digest(bytes, "sha256", "hex"),
        npmIntegrity: `sha512-${digest(bytes, "sha512", "base64")}`,
        npmShasum: digest(bytes, "sha1", "hex"),
        size: bytes.byteLength,
      };
      const pkg: Package = packages.get(name) ?? {
        name,
        displayName: stringField(manifest, "name") ?? name,
        runtimeId: stringField(manifest, "id") ?? null,
        summary: stringField(clawpack.packageJson, "description") ?? null,
        // Scoped plugin names carry their publisher: @owner/name.
        ownerHandle: name.startsWith("@") ? name.slice(1, name.indexOf("/")) : null,
        compatibility: normalizeOpenClawExternalPluginCompatibility(clawpack.packageJson),
        latestVersion: version,
        releases: new Map(),
      };
      const release: Release = {
        published,
        bytes,
        tarballName: basename(tarballPath),
        createdAt: Date.now(),
        trust: { ...CLEAN_TRUST, ...options.trust },
        overview: options.overview ?? CLEAN_OVERVIEW,
      };
      pkg.releases.set(version, release);
      pkg.latestVersion = version;
      packages.set(name, pkg);
      detailBody(pkg);
      artifactBody(pkg, release);
      securityBody(pkg, release);
      return published;
    },
    setTrust(name, version, trust, overview = CLEAN_OVERVIEW) {
      const { pkg, release } = findRelease(name, version);
      release.trust = { ...CLEAN_TRUST, ...trust };
      release.overview = overview;
      securityBody(pkg, release);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
