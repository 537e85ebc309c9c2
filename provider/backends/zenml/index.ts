// ZenML Pro organizations adapter (document 002): offset/limit lists as plain arrays, GET by id or
// name, PATCH merges, a client-chosen id on create (duplicate guard `client-id`).
import type { Connection } from "../../config/connection";
import { cannotCreateMessage, capabilitiesOf, createsWith } from "../../core/capabilities";
import { schemaFor } from "../../core/schema";
import { OrgformError, type OrgformErrorCode } from "../../core/errors";
import { HttpClient, type HttpMethod } from "../../http/client";
import { PageProgress, type Shape } from "../../http/protocol";
import { expect, protocol } from "./protocol";
import type { ImplementedVendor } from "../index";
import type { Backend, CreateIdentity, Fields, ObservedOrganization, OrganizationQuery } from "../types";
import { fromOrganization, refusalOf, toCreateBody, toUpdateBody, UUID, type VendorRefusal, type WireOrganization } from "./mappers";


function codeOf(r: VendorRefusal): OrgformErrorCode {
  if (r.status === 401) return "AUTH";
  if (r.status === 403) return "REFUSED";
  if (r.status === 404) return "NOT_FOUND";
  if (r.status === 409) return "CONFLICT";
  if (r.status === 422 || r.status === 400) return "VALIDATION";
  if (r.status === 429) return "RATE_LIMITED";
  return r.status >= 500 ? "TRANSIENT" : "REFUSED";
}

const because = (r: VendorRefusal): string => `${r.reason}${r.exception ? ` (${r.exception})` : ""}`;

export class ZenmlBackend implements Backend {
  readonly name = "zenml" as const;
  /** The client chooses the id on create (a UUID v5 of the ownership marker when none is declared). */
  readonly duplicateGuard = "client-id" as const;

  /** The organization schema the mappers place fields by, looked up once for the adapter's life. */
  private readonly schema = schemaFor("zenml", "organization");
  /** The page size of a list (capabilities `pagination.defaultPageSize`). */
  private readonly pageSize = capabilitiesOf("zenml").pagination.defaultPageSize ?? 100;
  /** Whether this connection's kind of credential creates organizations (capabilities `connection.auth[].creates`). */
  private readonly creates: ReturnType<typeof createsWith>;

  constructor(
    private readonly http: HttpClient,
    private readonly connection: Pick<Connection, "credentials">,
  ) {
    this.creates = createsWith("zenml", connection.credentials.method);
  }

  private readonly organizationOf = (wire: WireOrganization): ObservedOrganization => fromOrganization(wire, this.schema);

  /** The answer's body on 2xx, undefined on 404, else the vendor's refusal as an OrgformError. */
  private async call<T>(
    method: HttpMethod,
    path: string,
    body?: unknown,
    refused?: (r: VendorRefusal) => OrgformError | undefined,
    expected: Shape | undefined = method === "DELETE" ? undefined : expect.organization,
  ): Promise<T | undefined> {
    const res = await this.http.send({ method, path, body, expect: expected });
    if (res.status >= 200 && res.status < 300) return res.body as T;
    if (res.status === 404) return undefined;
    const r = refusalOf(res.status, res.body);
    throw refused?.(r) ?? new OrgformError(codeOf(r), `ZenML Pro refused ${method} ${path.split("?")[0]}: ${because(r)}`, { details: { status: r.status } });
  }

  private async list(params: URLSearchParams): Promise<WireOrganization[]> {
    const limit = this.pageSize;
    const out: WireOrganization[] = [];
    const progress = new PageProgress(this.http.endpointOf({ method: "GET", path: "/organizations" }));
    for (let offset = 0; ; offset += limit) {
      const q = new URLSearchParams(params);
      q.set("offset", String(offset));
      q.set("limit", String(limit));
      const page = await this.call<WireOrganization[]>("GET", `/organizations?${q}`, undefined, undefined, expect.organizations);
      // The list route answering "no such object" is not an empty list.
      if (!page) throw new OrgformError("PROTOCOL", `${this.http.endpointOf({ method: "GET", path: "/organizations" })} answered 404: the list of organizations does not exist there; check the endpoint (base URL)`);
      out.push(...page);
      if (page.length < limit) return out;
      progress.next(page.map((o) => o.id), offset + limit);
    }
  }

  async getOrganization(id: string): Promise<ObservedOrganization | undefined> {
    // The route also answers names: an id that is not a UUID names no organization by id.
    if (!UUID.test(id)) return undefined;
    const wire = await this.call<WireOrganization>("GET", `/organizations/${encodeURIComponent(id)}?include_subscription_status=true`);
    return wire && this.organizationOf(wire);
  }

  async findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]> {
    // No hierarchy: every organization is a root.
    if (typeof query.parentId === "string") return [];
    const params = new URLSearchParams();
    if (query.name !== undefined) params.set("name", query.name);
    const all = await this.list(params);
    return all.filter((o) => query.name === undefined || o.name === query.name).map(this.organizationOf);
  }

  async createOrganization(declared: Fields, _parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization> {
    const name = String(declared.name);
    // A kind of credential that never creates (a service account's client credentials): say so, send nothing.
    const method = this.connection.credentials.method;
    if (this.creates === "no") throw new OrgformError("REFUSED", cannotCreateMessage("zenml", method, name));
    const wire = await this.call<WireOrganization>("POST", "/organizations", toCreateBody(declared, identity.clientId, this.schema), (r) => this.createRefused(name, r));
    return this.organizationOf(wire!);
  }

  /** The refusals of a create a user can act on, each as one sentence saying what to do. */
  private createRefused(name: string, r: VendorRefusal): OrgformError | undefined {
    // A credential that creates only when it is a user's (an API key): ZenML says a service account's cannot.
    const method = this.connection.credentials.method;
    if (r.exception === "IllegalOperationError" && this.creates !== "yes" && /service account/i.test(r.reason)) {
      return new OrgformError("REFUSED", cannotCreateMessage("zenml", method, name, r.reason));
    }
    if (r.exception === "OrganizationLimitExceeded") {
      return new OrgformError(
        "REFUSED",
        `ZenML Pro refused to create organization "${name}": ${r.reason} (OrganizationLimitExceeded); ` +
          `a ZenML Pro owner has at most one organization: adopt the existing one (adopt: {id: ...}) or create this one for another owner_id`,
      );
    }
    return undefined;
  }

  /** The id this create uses: the declared one, else the UUID derived from the ownership marker. */
  async findCreated(declared: Fields, _parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization | undefined> {
    const declaredId = typeof declared.id === "string" ? declared.id : undefined;
    const found = await this.getOrganization(declaredId ?? identity.clientId);
    // A declared id may be an organization someone else made: only ours if it also has our name.
    if (found && declaredId !== undefined && found.name !== declared.name) return undefined;
    return found;
  }

  async updateOrganization(id: string, declared: Fields): Promise<ObservedOrganization> {
    const gone = () => new OrgformError("NOT_FOUND", `cannot update ZenML Pro organization ${id}: it does not exist`);
    if (!UUID.test(id)) throw gone();
    const wire = await this.call<WireOrganization>("PATCH", `/organizations/${encodeURIComponent(id)}`, toUpdateBody(declared, this.schema));
    if (!wire) throw gone();
    return this.organizationOf(wire);
  }

  async deleteOrganization(id: string): Promise<void> {
    if (!UUID.test(id)) return;
    await this.call("DELETE", `/organizations/${encodeURIComponent(id)}`);
  }
}

export const zenmlVendor = {
  name: "zenml",
  status: "implemented",
  protocol,
  open: (http: HttpClient, connection: Connection) => new ZenmlBackend(http, connection) satisfies Backend,
} as const satisfies ImplementedVendor;
