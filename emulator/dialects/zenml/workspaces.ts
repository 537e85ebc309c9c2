import type { FastifyInstance, FastifyRequest } from "fastify";
import type { OrgRow } from "../../store";
import type { DialectContext } from "../../types";
import { notFound, unprocessable, type ValidationItem } from "./errors";
import { last, queryBool, queryInt, visible, type Query } from "./organizations";
import { BACKEND, WORKSPACE_STATUSES, canonicalUuid, orgDocument, orgToWire, type WorkspaceDocument } from "./wire";

/**
 * `GET /workspaces` and `GET /workspaces/{id}`, read-only, as ZenML's own Pro client asks them
 * (zenml 0.98.0 `login/pro/workspace/client.py`): document 002 names no workspace route, the client
 * does, and each workspace carries its organization. Workspaces come from seeds only (orgform manages
 * organizations, not workspaces); an organization's are gone with it.
 *
 * The answer is `WorkspaceRead`: `{id, name, description, organization: <organization view model>,
 * desired_state, state_reason, status, zenml_service: {configuration: {version}|null, status:
 * {server_url, version}|null}}`. Filters: `workspace_name` (exact), `url` (the server URL),
 * `organization_id`, `status` (a `WorkspaceStatus` value, else FastAPI's 422), `member_only`
 * (every caller of the emulator is a member of every workspace it sees: accepted, no effect),
 * `offset` (default 0), `limit` (default 20, the client's).
 */

const WORKSPACE_LIMIT = 20;

function workspaceToWire(ws: WorkspaceDocument, org: OrgRow, now: Date): Record<string, unknown> {
  return {
    id: ws.id,
    name: ws.name,
    description: ws.description,
    organization: orgToWire(org, now, false),
    desired_state: ws.desired_state,
    state_reason: ws.state_reason,
    status: ws.status,
    zenml_service: {
      configuration: ws.version === null ? null : { version: ws.version },
      status: ws.server_url === null ? null : { server_url: ws.server_url, version: ws.version },
    },
  };
}

function visibleWorkspaces(ctx: DialectContext, req: FastifyRequest): { ws: WorkspaceDocument; org: OrgRow }[] {
  return ctx.store
    .allOrgs(BACKEND)
    .filter((r) => visible(ctx, req, r))
    .flatMap((org) => (orgDocument(org).workspaces ?? []).map((ws) => ({ ws, org })));
}

export function registerWorkspaces(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  app.get("/workspaces", async (req) => {
    const q = req.query as Query;
    const problems: ValidationItem[] = [];
    const offset = queryInt(q, "offset", 0, 0, problems);
    const limit = queryInt(q, "limit", WORKSPACE_LIMIT, 1, problems);
    queryBool(q, "member_only", problems);
    const orgRaw = last(q, "organization_id");
    const orgId = orgRaw === undefined ? undefined : canonicalUuid(orgRaw);
    if (orgRaw !== undefined && !orgId) problems.push({ type: "uuid_parsing", loc: ["query", "organization_id"], msg: "Input should be a valid UUID", input: orgRaw });
    const status = last(q, "status");
    if (status !== undefined && !(WORKSPACE_STATUSES as readonly string[]).includes(status)) {
      const expected = WORKSPACE_STATUSES.map((s) => `'${s}'`).join(", ");
      problems.push({ type: "enum", loc: ["query", "status"], msg: `Input should be ${expected}`, input: status, ctx: { expected } });
    }
    if (problems.length) throw unprocessable(problems);
    const name = last(q, "workspace_name");
    const url = last(q, "url");
    return store.read(() =>
      visibleWorkspaces(ctx, req)
        .filter(({ ws }) => name === undefined || ws.name === name)
        .filter(({ ws }) => url === undefined || ws.server_url === url)
        .filter(({ org }) => orgId === undefined || org.id === orgId)
        .filter(({ ws }) => status === undefined || ws.status === status)
        .slice(offset, offset + limit)
        .map(({ ws, org }) => workspaceToWire(ws, org, ctx.now())),
    );
  });

  app.get("/workspaces/:workspace_id", async (req) => {
    const raw = (req.params as { workspace_id: string }).workspace_id;
    const id = canonicalUuid(raw);
    if (!id) throw unprocessable([{ type: "uuid_parsing", loc: ["path", "workspace_id"], msg: "Input should be a valid UUID, invalid length or character", input: raw }]);
    return store.read(() => {
      const hit = visibleWorkspaces(ctx, req).find(({ ws }) => ws.id === id);
      if (!hit) throw notFound(`Workspace with ID ${id} not found.`);
      return workspaceToWire(hit.ws, hit.org, ctx.now());
    });
  });
}
