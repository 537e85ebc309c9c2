import { Command, InvalidArgumentError } from "commander";
import { startEmulator } from "./app";
import { parseFaultSpec } from "./faults";
import { parseRateLimit } from "./ratelimit";
import { DEFAULT_CREDENTIALS } from "./types";

/**
 * `orgform emulator`: starts the emulator, prints every dialect's base URL and the credentials it
 * accepts, and shuts down cleanly on SIGINT/SIGTERM (in-flight requests finish, the database is
 * checkpointed and closed; every acknowledged write is already committed).
 */

function portOf(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new InvalidArgumentError("must be a port number (0-65535)");
  return n;
}

function intOf(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n)) throw new InvalidArgumentError("must be an integer");
  return n;
}

/** `--oauth-client id:secret` (repeatable): the OAuth2 clients of the token endpoints. */
function oauthClientOf(v: string, previous: Array<{ clientId: string; clientSecret: string }> | undefined) {
  const colon = v.indexOf(":");
  if (colon < 1 || colon === v.length - 1) throw new InvalidArgumentError("must be <client id>:<client secret>");
  return [...(previous ?? []), { clientId: v.slice(0, colon), clientSecret: v.slice(colon + 1) }];
}

function positiveIntOf(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError("must be a positive integer");
  return n;
}

function checked<T>(parse: (v: string) => T): (v: string) => string {
  return (v) => {
    try {
      parse(v);
    } catch (err) {
      throw new InvalidArgumentError((err as Error).message);
    }
    return v;
  };
}

export function registerEmulator(program: Command): void {
  program
    .command("emulator")
    .description("run the local emulator of the vendor APIs (one embedded SQLite store)")
    .option("--port <port>", "port to listen on (0: any free port)", portOf, 8787)
    .option("--host <host>", "address to bind", "127.0.0.1")
    .option("--db <file>", "SQLite database file, or :memory:", ".orgform/emulator.db")
    .option("--seed <yaml>", "seed document applied on start (format: emulator/README.md)")
    // Credentials: none given, the well-known defaults; any given, no default survives (each one
    // not given is a random secret of this run, shown in the banner).
    .option("--admin-token <token>", `bearer token of the /_admin API (default ${DEFAULT_CREDENTIALS.adminToken})`)
    .option("--api-token <token>", `full-access API bearer token (default ${DEFAULT_CREDENTIALS.apiToken})`)
    .option("--auth-email <email>", `X-Auth-Email accepted with --auth-key (default ${DEFAULT_CREDENTIALS.authEmail})`)
    .option("--auth-key <key>", `X-Auth-Key accepted with --auth-email (default ${DEFAULT_CREDENTIALS.authKey})`)
    .option("--user-name <name>", `full-access user of session logins, with --password (default ${DEFAULT_CREDENTIALS.userName})`)
    .option("--password <password>", `password of the full-access user (default ${DEFAULT_CREDENTIALS.password})`)
    .option("--oauth-client <id:secret>", "an OAuth2 client of the token endpoints (repeatable; replaces the default client)", oauthClientOf)
    .option("--token-ttl <seconds>", "lifetime of issued access tokens", positiveIntOf, DEFAULT_CREDENTIALS.tokenTtlSeconds)
    .option("--rate-limit <rate>", "per-credential rate limit, e.g. 10/s, 600/m or 10/s,burst=20 (default off)", checked(parseRateLimit))
    .option("--faults <spec>", "fault injection, e.g. latency=50ms,error=0.1,reset=0.05,commit-then-fail=0.2", checked(parseFaultSpec))
    .option("--fault-seed <n>", "seed of the fault PRNG (deterministic faults)", intOf, 1)
    .option("--log", "log every request (JSON lines on stdout)", false)
    .action(async (opts: {
      port: number; host: string; db: string; seed?: string; adminToken?: string; apiToken?: string;
      authEmail?: string; authKey?: string; userName?: string; password?: string; rateLimit?: string; faults?: string; faultSeed: number; log: boolean;
      oauthClient?: Array<{ clientId: string; clientSecret: string }>; tokenTtl: number;
    }) => {
      const emu = await startEmulator({
        port: opts.port,
        host: opts.host,
        db: opts.db,
        seedFile: opts.seed,
        credentials: {
          adminToken: opts.adminToken,
          apiToken: opts.apiToken,
          authEmail: opts.authEmail,
          authKey: opts.authKey,
          userName: opts.userName,
          password: opts.password,
          oauthClients: opts.oauthClient,
          tokenTtlSeconds: opts.tokenTtl,
        },
        rateLimit: opts.rateLimit ?? null,
        faults: opts.faults ?? "",
        faultSeed: opts.faultSeed,
        logger: opts.log,
      });
      const out = process.stdout;
      out.write(`orgform emulator listening on ${emu.url} (db: ${opts.db})\n`);
      if ([opts.adminToken, opts.apiToken, opts.authEmail, opts.authKey, opts.oauthClient].some((v) => v !== undefined)) {
        out.write(`  ${"credentials".padEnd(14)} as configured; no default is accepted (those not given are random for this run)\n`);
      }
      for (const d of emu.runtime.dialects) {
        out.write(`  ${d.name.padEnd(14)} ${emu.baseUrls[d.name]}\n`);
        for (const line of d.describeCredentials(emu.credentials, emu.url)) out.write(`  ${"".padEnd(14)} ${line}\n`);
      }
      if (opts.rateLimit) out.write(`  rate limit     ${opts.rateLimit} per credential\n`);
      if (opts.faults) out.write(`  faults         ${opts.faults} (seed ${opts.faultSeed})\n`);
      if (emu.seeded) {
        out.write(`  seeded         ${emu.seeded.organizations.length} organizations, ${emu.seeded.members} members, ${emu.seeded.tokens.length} tokens\n`);
      }
      // Last line of the banner (scripts wait for it).
      out.write(`  ${"admin".padEnd(14)} ${emu.url}/_admin  (Authorization: Bearer ${emu.credentials.adminToken})\n`);

      await new Promise<void>((resolve) => {
        let stopping = false;
        const stop = (signal: NodeJS.Signals): void => {
          if (stopping) return;
          stopping = true;
          out.write(`orgform emulator: ${signal}, shutting down\n`);
          emu.close().then(resolve, (err: Error) => {
            process.stderr.write(`orgform emulator: shutdown failed: ${err.message}\n`);
            process.exitCode = 1;
            resolve();
          });
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
    });
}
