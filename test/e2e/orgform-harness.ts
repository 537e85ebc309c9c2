// An orgform project as users lay it out (Pulumi.yaml + YAML desired state, the orgform package
// in node_modules), run by the real Pulumi CLI against an emulator on 127.0.0.1.
import * as fs from "node:fs";
import * as path from "node:path";
import { startEmulator, type StartOptions, type StartedEmulator } from "../../emulator";
import type { BackendName } from "../../provider/core/backends";
import { STACK_CONFIG } from "../../provider/config/connection";
import { isSecretPart } from "../../provider/core/credential-kinds";
import { emulatorCredentialEnv, emulatorCredentials } from "../../scripts/emulator-credentials";
import { makeTempDir, repoRoot, workspace, type Workspace } from "./harness";

/** Credentials no test would write by accident: the leak scans look for them. */
export const API_TOKEN = "e2e-credential-7f3a9c21d4b8e6a0";
export const CLIENT_SECRET = "e2e-client-secret-3b8d0f6e1a";
export const ADMIN_TOKEN = "e2e-admin-5d1c";
/** The password of the emulator's full-access user (session logins). */
export const SESSION_PASSWORD = "e2e-session-password-9c4e71";
/** Every secret an e2e project's emulator accepts: none may appear in state, logs or output. */
export const SECRETS = [API_TOKEN, CLIENT_SECRET, SESSION_PASSWORD];

export interface OrgformProject {
  ws: Workspace;
  backend: BackendName;
  emulator: StartedEmulator;
  configFile: string;
  stateDir: string;
  writeConfig(yaml: string): void;
  admin<T = any>(method: string, route: string, body?: unknown): Promise<T>;
  /** A call to the backend's API as another client would make it (out-of-band changes), with the full-access token. */
  api<T = any>(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<T>;
  close(): Promise<void>;
}

/** Links the repository as the installed `orgform` package (and its @pulumi/pulumi). */
function linkPackages(project: string): void {
  const nm = path.join(project, "node_modules");
  fs.mkdirSync(path.join(nm, "@pulumi"), { recursive: true });
  fs.symlinkSync(repoRoot, path.join(nm, "orgform"), "dir");
  fs.symlinkSync(path.join(repoRoot, "node_modules", "@pulumi", "pulumi"), path.join(nm, "@pulumi", "pulumi"), "dir");
}

/**
 * A project whose desired state is `yaml` (one file, orgs.yaml) or a directory of files (orgs/).
 */
export async function orgformProject(
  name: string,
  yaml: string | Record<string, string>,
  opts: { credentialsInStackConfig?: boolean; backend?: BackendName; emulator?: StartOptions } = {},
): Promise<OrgformProject> {
  const backend = opts.backend ?? "cloudflare";
  const root = makeTempDir(name);
  const project = path.join(root, "project");
  fs.mkdirSync(project);
  linkPackages(project);
  fs.writeFileSync(
    path.join(project, "Pulumi.yaml"),
    `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`,
  );
  fs.writeFileSync(path.join(project, "package.json"), JSON.stringify({ name, private: true, main: "index.js" }));
  // The whole program: orgform's own, reading the YAML named by orgform:config.
  fs.writeFileSync(path.join(project, "index.js"), 'module.exports = require("orgform/program");\n');
  const configFile = path.join(project, typeof yaml === "string" ? "orgs.yaml" : "orgs");
  if (typeof yaml === "string") fs.writeFileSync(configFile, yaml);
  else {
    fs.mkdirSync(configFile);
    for (const [file, text] of Object.entries(yaml)) fs.writeFileSync(path.join(configFile, file), text);
  }

  const emulator = await startEmulator({
    port: 0,
    db: ":memory:",
    ...opts.emulator,
    credentials: { apiToken: API_TOKEN, adminToken: ADMIN_TOKEN, oauthClients: [{ clientId: "e2e-client", clientSecret: CLIENT_SECRET }], password: SESSION_PASSWORD, ...opts.emulator?.credentials },
  });
  const endpoint = emulator.baseUrls[backend];
  const env: NodeJS.ProcessEnv = { ORGFORM_ENDPOINT: endpoint };
  if (!opts.credentialsInStackConfig) Object.assign(env, emulatorCredentialEnv(backend, emulator));
  const ws = workspace(project, env);
  const stateDir = path.join(root, "state");
  await ws.pulumiOk(["stack", "init", "e2e"]);
  await ws.pulumiOk(["config", "set", "orgform:config", path.basename(configFile)]);
  if (opts.credentialsInStackConfig) {
    // Every part of the credential as stack config, its secret parts encrypted.
    const { credentials } = emulatorCredentials(backend, emulator);
    for (const [part, value] of Object.entries(credentials)) {
      if (part === "method") continue;
      await ws.pulumiOk(["config", "set", ...(isSecretPart(part) ? ["--secret"] : []), STACK_CONFIG[part as keyof typeof STACK_CONFIG], String(value)]);
    }
  }

  const call = async (base: string, token: string, method: string, route: string, body?: unknown, headers: Record<string, string> = {}) => {
    const res = await fetch(base + route, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  return {
    ws,
    backend,
    emulator,
    configFile,
    stateDir,
    writeConfig: (text) => fs.writeFileSync(configFile, text),
    admin: (method, route, body) => call(`${emulator.url}/_admin`, ADMIN_TOKEN, method, route, body),
    api: (method, route, body, headers) => call(endpoint, API_TOKEN, method, route, body, headers),
    close: () => emulator.close(),
  };
}

export interface LiveOrganization {
  id: string;
  name: string;
  parent_id: string | null;
  document: Record<string, any>;
}

export interface LiveMember {
  id: string;
  org_id: string;
  email: string;
  document: Record<string, any>;
}

export async function liveState(p: OrgformProject): Promise<{ organizations: LiveOrganization[]; members: LiveMember[] }> {
  return p.admin("GET", `/state?backend=${p.backend}`);
}

/** Every file below a directory, concatenated: for leak scans of state, backups and history. */
export function readTree(dir: string): string {
  if (!fs.existsSync(dir)) return "";
  let out = "";
  for (const entry of fs.readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) out += fs.readFileSync(path.join(entry.parentPath, entry.name), "latin1");
  }
  return out;
}
