/**
 * URLs as the emulator writes them down (the `--log` request log, the request journal): a
 * credential in a URL never reaches either. Redacted: the token of `/_admin/tokens/{token}`, and
 * the value of any query parameter whose name says it is a credential (`access_token`, `api_key`,
 * `client_secret`, `password`, `signature`...), so a client that puts one in a query string does not
 * leak it either.
 */

export const REDACTED = "<redacted>";

const TOKEN_PATH = /^(\/_admin\/tokens\/)[^/?#]+/;
const CREDENTIAL_PARAM = /token|secret|passw|key|auth|signature|credential|session|code/i;

export function redactUrl(url: string): string {
  const q = url.indexOf("?");
  const path = (q < 0 ? url : url.slice(0, q)).replace(TOKEN_PATH, `$1${REDACTED}`);
  if (q < 0) return path;
  const query = url
    .slice(q + 1)
    .split("&")
    .map((pair) => {
      const eq = pair.indexOf("=");
      const name = eq < 0 ? pair : pair.slice(0, eq);
      let decoded = name;
      try {
        decoded = decodeURIComponent(name.replace(/\+/g, " "));
      } catch {
        // a malformed name is matched as written
      }
      return eq >= 0 && CREDENTIAL_PARAM.test(decoded) ? `${name}=${REDACTED}` : pair;
    })
    .join("&");
  return `${path}?${query}`;
}
