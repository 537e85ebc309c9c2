// A local HTTP server that is not any vendor's API, in the ways a mistyped endpoint or a proxy in
// front of one is not: the first path segment picks how it answers, whatever follows it.
//   /html/...        200 with an HTML page (a single-sign-on proxy, a captive portal)
//   /404/...         404 to every route, as JSON in no vendor's error shape (a wrong base path)
//   /wrong-json/...  200 with JSON of another shape
//   /hang/...        accepts the request and never answers
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Socket } from "node:net";

export const HOSTILE_MODES = ["html", "404", "wrong-json", "hang"] as const;
export type HostileMode = (typeof HOSTILE_MODES)[number];

export const HTML_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><title>Sign in - Corporate Proxy</title></head>
<body><form method="post" action="/login"><input name="user"><input name="password" type="password"></form></body>
</html>
`;

export interface HostileServer {
  url: string;
  /** The base URL of one mode (an endpoint to point a backend at). */
  endpoint(mode: HostileMode): string;
  /** Requests received, as `METHOD /path` (query string included). */
  requests: string[];
  close(): Promise<void>;
}

function answer(mode: string, req: IncomingMessage, res: ServerResponse): void {
  switch (mode) {
    case "html":
      res.writeHead(200, { "content-type": "text/html; charset=utf-8" }).end(HTML_PAGE);
      return;
    case "404":
      res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ message: "Not Found", path: req.url }));
      return;
    case "wrong-json":
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ data: "unexpected", items: 3, next: null }));
      return;
    case "hang":
      return; // never answers; the socket is closed by the client or by close()
    default:
      res.writeHead(400, { "content-type": "text/plain" }).end(`unknown mode ${mode}\n`);
  }
}

export async function startHostileServer(): Promise<HostileServer> {
  const requests: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    req.on("end", () => answer((req.url ?? "/").split("/")[1] ?? "", req, res));
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    url,
    endpoint: (mode) => `${url}/${mode}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
