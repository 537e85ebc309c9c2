// Cloudomation Engine adapter (document 000; the REST API of Engine 7): one workspace's API at
// <workspace>/api/latest, records as plain JSON objects, PATCH changes only what it is sent.
// Organizations exist: they are found, read and patched, never created nor deleted. Every call
// asks for `plain=true` (the bare record or list), as Cloudomation's own client does (devstack-cli).
import { OrgformError } from "../../core/errors";
import { schemaFor } from "../../core/schema";
import { updateSemantics } from "../../core/capabilities";
import { fromWire, updateBody } from "../../core/wire";
import { HttpClient, HttpStatusError, type HttpMethod } from "../../http/client";
import { PageProgress } from "../../http/protocol";
import { expect, protocol } from "./protocol";
import type { Backend, BulkReadAbility, Fields, ObservedOrganization, OrganizationQuery } from "../types";
import type { ImplementedVendor } from "../index";

type WireRecord = Record<string, unknown>;

/** `GET /organization` pages (`limit` / `offset`). */
const PAGE_SIZE = 100;

export class CloudomationBackend implements Backend, BulkReadAbility {
  readonly name = "cloudomation" as const;
  /** Organizations cannot be created, so there is no create to guard: `createOrganization` refuses before any call. */
  readonly duplicateGuard = "none" as const;
  private readonly schema = schemaFor("cloudomation", "organization");

  constructor(private readonly http: HttpClient) {}

  private async call(method: HttpMethod, path: string, body?: unknown, expected = expect.organization): Promise<{ status: number; body: unknown }> {
    const res = await this.http.send({ method, path, body, expect: expected });
    if ((res.status >= 200 && res.status < 300) || res.status === 404) return res;
    throw new HttpStatusError(res.status, res.body, `cloudomation ${method} ${path.split("?")[0]}`);
  }

  private observe(wire: WireRecord): ObservedOrganization {
    return { id: String(wire.id), name: String(wire.name), parentId: null, fields: fromWire(wire, this.schema) };
  }

  async getOrganization(id: string): Promise<ObservedOrganization | undefined> {
    const { status, body } = await this.call("GET", `/organization/${encodeURIComponent(id)}?plain=true`);
    return status === 404 ? undefined : this.observe(body as WireRecord);
  }

  /** Every organization the workspace sees (usually its one), paged; each record as GET by id answers it. */
  async listAllOrganizations(): Promise<ObservedOrganization[]> {
    return this.findOrganizations({});
  }

  /** Names are not unique: every organization of that exact name the workspace sees (usually its one). */
  async findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]> {
    if (query.parentId) return []; // no hierarchy: nothing is below anything
    const out: ObservedOrganization[] = [];
    const filter = query.name === undefined ? undefined : JSON.stringify({ field: "name", op: "eq", value: query.name });
    const endpoint = this.http.endpointOf({ method: "GET", path: "/organization" });
    const progress = new PageProgress(endpoint);
    for (let offset = 0; ; offset += PAGE_SIZE) {
      const q = new URLSearchParams({ limit: String(PAGE_SIZE), offset: String(offset), plain: "true" });
      if (filter) q.set("filter", filter);
      const { status, body } = await this.call("GET", `/organization?${q}`, undefined, expect.organizations);
      // The list route answering "no such object" is not an empty list.
      if (status === 404) throw new OrgformError("PROTOCOL", `${endpoint} answered 404: the list of organizations does not exist there; check the endpoint (base URL)`);
      const page = body as WireRecord[];
      out.push(...page.map((w) => this.observe(w)));
      if (page.length < PAGE_SIZE) return out;
      progress.next(page.map((w) => String(w.id)), offset + PAGE_SIZE);
    }
  }

  async createOrganization(declared: Fields): Promise<ObservedOrganization> {
    throw new OrgformError("UNSUPPORTED", `Cloudomation organizations cannot be created ("${String(declared.name)}"): adopt an existing one with adopt: {id: ...} or adopt: {name: ...}`);
  }

  async findCreated(): Promise<ObservedOrganization | undefined> {
    return undefined;
  }

  async updateOrganization(id: string, declared: Fields): Promise<ObservedOrganization> {
    // PATCH merges: the declared fields only (import-only ones included), never export-only ones.
    const body = updateBody(this.schema, declared, updateSemantics("cloudomation", "organization"));
    const path = `/organization/${encodeURIComponent(id)}?plain=true`;
    const res = Object.keys(body).length === 0 ? await this.call("GET", path) : await this.call("PATCH", path, body);
    if (res.status === 404) throw new OrgformError("NOT_FOUND", `cannot update cloudomation organization ${id}: it does not exist`);
    return this.observe(res.body as WireRecord);
  }

  async deleteOrganization(id: string): Promise<void> {
    throw new OrgformError("UNSUPPORTED", `Cloudomation organizations cannot be deleted (${id}): remove it from the config to release it`);
  }
}

export const cloudomationVendor = {
  name: "cloudomation",
  status: "implemented",
  protocol,
  open: (http: HttpClient) => new CloudomationBackend(http) satisfies Backend & BulkReadAbility,
} as const satisfies ImplementedVendor;
