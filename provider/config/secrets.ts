/**
 * Inline-secret detection. Credentials never belong in YAML: they come from the environment or
 * from Pulumi stack config (`pulumi config set --secret orgform:token ...`). Messages name the key
 * or the kind of value, never the value itself.
 */

/** Normalised (lower case, no `_`/`-`) key names that hold credentials. */
const SECRET_KEY_SUFFIXES = ["token", "apikey", "secret", "password", "passwd", "privatekey", "accesskey", "credential", "credentials", "authorization"];
/** Keys that look like secrets by name but hold none. */
const NOT_SECRET_KEYS = new Set(["tokenurl", "tokenendpoint"]);

/** Answers by key (a large config repeats a handful of keys thousands of times); bounded, since keys are the user's. */
const secretKeyAnswers = new Map<string, boolean>();

export function isSecretKey(key: string): boolean {
  const known = secretKeyAnswers.get(key);
  if (known !== undefined) return known;
  const k = key.toLowerCase().replace(/[-_\s]/g, "");
  const answer = !NOT_SECRET_KEYS.has(k) && SECRET_KEY_SUFFIXES.some((s) => k === s || k.endsWith(s));
  if (secretKeyAnswers.size < 10_000) secretKeyAnswers.set(key, answer);
  return answer;
}

const VALUE_PATTERNS: Array<[RegExp, string]> = [
  [/^bearer\s+\S{8,}/i, "an Authorization bearer header"],
  [/^basic\s+[A-Za-z0-9+/=]{8,}$/i, "an Authorization basic header"],
  [/^eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*$/, "a JSON Web Token"],
  [/^-----BEGIN [A-Z ]*PRIVATE KEY-----/, "a private key"],
  [/^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i, "a URL with an embedded password"],
  [/^[a-z][a-z0-9+.-]*:\/\/[^\s?#]*\?(?:[^#\s]*[&;])?(?:[\w.-]*[_.-]|api|access|client|private|session)?(?:token|secret|password|passwd|key|signature|sig|auth|jwt)=[^&;#\s]+/i, "a URL with a credential in its query string"],
  [/^(sk|rk)_(live|test)_[A-Za-z0-9]{16,}$/, "an API secret key"],
  [/^gh[pousr]_[A-Za-z0-9]{30,}$/, "a GitHub token"],
  [/^xox[abprs]-[A-Za-z0-9-]{10,}$/, "a Slack token"],
  [/^AKIA[0-9A-Z]{16}$/, "an AWS access key id"],
  [/^orgform-(emulator|admin)-(token|key)$/, "an orgform emulator credential"],
];

/**
 * How every pattern above (and the API token below) can begin, in one test: a string that begins
 * otherwise (nearly every name, email and role of a config) is tested once, not twelve times.
 */
const MAY_BE_SECRET = /^(?:bearer\s|basic\s|eyJ|-----BEGIN |[a-z][a-z0-9+.-]*:\/\/|[sr]k_|gh[pousr]_|xox[abprs]-|AKIA|orgform-)|^[A-Za-z0-9_-]{40}$/i;

/** What kind of credential a string looks like, or undefined. */
export function secretValueKind(value: string): string | undefined {
  const v = value.trim();
  if (!MAY_BE_SECRET.test(v)) return undefined;
  for (const [re, kind] of VALUE_PATTERNS) if (re.test(v)) return kind;
  // Cloudflare API tokens: 40 characters of [A-Za-z0-9_-] mixing upper, lower case and digits.
  if (/^[A-Za-z0-9_-]{40}$/.test(v) && /[A-Z]/.test(v) && /[a-z]/.test(v) && /[0-9]/.test(v)) return "an API token";
  return undefined;
}
