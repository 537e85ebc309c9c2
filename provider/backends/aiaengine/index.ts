// AIA Engine adapter (document 004, the Python SDK's Org; the guides' gRPC calls CreateOrg, GetOrg,
// UpdateOrg, DeleteOrg, ListOrgs, ListOrgUsers, users added by id and role). Each call is sent at
// its gRPC method path in the Connect protocol's unary JSON form (schemas/README.md), so a move to
// the gRPC transport changes the framing, not the calls nor their messages. Errors are Connect's
// {code, message}; no paging; UpdateOrg replaces; no name uniqueness, hence no way to recognise what
// an ambiguous create committed (duplicate guard none: the handler looks for the name first).
import { HttpClient, HttpStatusError, type HttpResponse } from "../../http/client";
import { OrgformError, isOrgformError } from "../../core/errors";
import { roleRulesOf, sameRole } from "../../core/roles";
import { roleOfAssignment } from "../types";
import type { Backend, BulkReadAbility, Fields, MemberAbility, MemberAssignment, ObservedMember, ObservedOrganization, OrganizationQuery } from "../types";
import {
  aiaengineSchemas,
  decodeList,
  decodeOrg,
  decodeOrgUser,
  decodeUser,
  fromOrgUser,
  fromOrganization,
  nameForEmail,
  toCreateRequest,
  toUpdateRequest,
  type WireOrganization,
  type WireOrgUser,
} from "./mappers";
import type { ImplementedVendor } from "../index";
import type { Shape } from "../../http/protocol";
import { expect as answers, protocol } from "./protocol";

const ORG_SERVICE = "/aiaengine.api.org.OrgService";
const USER_SERVICE = "/aiaengine.api.user.UserService";

/** Attempts at adding one member when an add fails ambiguously and the member is not there. */
const MEMBER_ADD_ATTEMPTS = 6;

/** A Connect error `{code, message}`, or undefined when the body is not one. */
function connectError(body: unknown): { code: string; message: string } | undefined {
  if (typeof body !== "object" || body === null || Array.isArray(body)) return undefined;
  const { code, message } = body as Record<string, unknown>;
  if (typeof code !== "string" || !/^[a-z_]+$/.test(code)) return undefined;
  return { code, message: typeof message === "string" ? message : "" };
}

/** What came back, for an error about an answer that is not AIA Engine's (never a header). */
function describeAnswer(res: HttpResponse): string {
  const text = typeof res.body === "string" ? res.body : JSON.stringify(res.body ?? "");
  return `HTTP ${res.status}, content-type ${res.headers["content-type"] ?? "(none)"}, body ${JSON.stringify(text.slice(0, 80))}`;
}

export class AiaEngineBackend implements Backend, MemberAbility, BulkReadAbility {
  readonly name = "aiaengine" as const;
  /**
   * Organizations have a name and a description only, names are not unique and there is no free
   * field for a marker nor a client-chosen id: an ambiguous create is never retried (fail closed),
   * and a create is preceded by a look for the name (provider/resources/handlers/organization.ts).
   */
  readonly duplicateGuard = "none" as const;

  /** Platform users this process has seen, by email folded to lower case: their ids (see `addMember`). */
  private readonly knownUsers = new Map<string, string>();

  /** The schemas the mappers place fields by, and the member roles' comparison rule: looked up once for the adapter's life. */
  private readonly schemas = aiaengineSchemas();
  private readonly roles = roleRulesOf(this.schemas.member);

  constructor(private readonly http: HttpClient) {}

  private readonly organizationOf = (wire: WireOrganization): ObservedOrganization => fromOrganization(wire, this.schemas.organization);
  private readonly memberOf = (wire: WireOrgUser): ObservedMember => fromOrgUser(wire, this.schemas.member);

  /**
   * One unary call: the response message, or undefined for the vendor's `not_found` (a 404 whose
   * body is a Connect error with that code, and nothing else: a 404 of a wrong endpoint is an
   * error). Any other Connect error throws with the vendor's message; an answer that is no Connect
   * message at all throws naming what came back.
   */
  private async rpc(procedure: string, request: object, kind: "read" | "idempotent" | "write", expect?: Shape): Promise<unknown> {
    // A read goes by Connect's GET form (the call is side-effect free); a write by POST, retried
    // by the HTTP client only where sending it twice does what sending it once does.
    const res =
      kind === "read"
        ? await this.http.send({ method: "GET", path: `${procedure}?connect=v1&encoding=json&message=${encodeURIComponent(JSON.stringify(request))}`, ...(expect ? { expect } : {}) })
        : await this.http.send({ method: "POST", path: procedure, body: request, idempotent: kind === "idempotent", ...(expect ? { expect } : {}) });
    const what = `aiaengine ${procedure}`;
    const json = /^application\/json\b/i.test(res.headers["content-type"] ?? "");
    if (res.status >= 200 && res.status < 300) {
      if (!json || typeof res.body !== "object" || res.body === null) {
        throw new OrgformError("PROTOCOL", `${what}: the answer is not AIA Engine's (${describeAnswer(res)}): check the endpoint`);
      }
      return res.body;
    }
    const err = json ? connectError(res.body) : undefined;
    // A 404 is absence only as not_found: any other 404 (a path the service has not: a wrong
    // endpoint or base path) must never read as "gone".
    if (!err || (res.status === 404 && err.code !== "not_found")) {
      throw new OrgformError("PROTOCOL", `${what}: the answer is not AIA Engine's (${describeAnswer(res)}): check the endpoint`);
    }
    if (err.code === "not_found") return undefined;
    throw new HttpStatusError(res.status, res.body, what);
  }

  private async getWire(id: string): Promise<WireOrganization | undefined> {
    const procedure = `${ORG_SERVICE}/GetOrg`;
    const answer = await this.rpc(procedure, { id }, "read", answers.organization);
    return answer === undefined ? undefined : decodeOrg(answer, procedure);
  }

  async getOrganization(id: string): Promise<ObservedOrganization | undefined> {
    const wire = await this.getWire(id);
    return wire && this.organizationOf(wire);
  }

  /** ListOrgs with no user_id: every organization of the caller in one answer (no paging), as GetOrg returns each. */
  async listAllOrganizations(): Promise<ObservedOrganization[]> {
    const procedure = `${ORG_SERVICE}/ListOrgs`;
    const answer = await this.rpc(procedure, {}, "read", answers.organizations);
    if (answer === undefined) throw new OrgformError("PROTOCOL", `aiaengine ${procedure} answered not_found: a list has nothing to be missing`);
    return decodeList(answer, "orgs", procedure, "ListUserOrgsResponse", decodeOrg).map(this.organizationOf);
  }

  /** The same list; names compared exactly (nothing folds them). */
  async findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]> {
    if (query.parentId) return []; // no hierarchy: nothing is below anything
    return (await this.listAllOrganizations()).filter((o) => query.name === undefined || o.name === query.name);
  }

  /**
   * CreateOrg{name, description} (the guide's request has no logo), then, for a declared logo_url,
   * UpdateOrg with it. Should that second call fail, the organization exists all the same: the
   * error gives its id to adopt (a rerun would find its name and refuse to create it again).
   */
  async createOrganization(declared: Fields): Promise<ObservedOrganization> {
    const procedure = `${ORG_SERVICE}/CreateOrg`;
    const answer = await this.rpc(procedure, toCreateRequest(declared), "write");
    if (answer === undefined) throw new OrgformError("REFUSED", `aiaengine ${procedure} answered not_found`);
    const created = decodeOrg(answer, procedure);
    if (typeof declared.logo_url !== "string" || declared.logo_url === created.logo_url) return this.organizationOf(created);
    try {
      const updated = await this.rpc(`${ORG_SERVICE}/UpdateOrg`, toUpdateRequest(created, declared, this.schemas.organization), "idempotent");
      if (updated === undefined) throw new OrgformError("NOT_FOUND", "UpdateOrg answered not_found");
      return this.organizationOf(decodeOrg(updated, `${ORG_SERVICE}/UpdateOrg`));
    } catch (err) {
      throw new OrgformError(
        isOrgformError(err) ? err.code : "REFUSED",
        `created AIA Engine organization "${created.name}" (id ${created.id}) but could not set its logo_url: ${(err as Error).message}. ` +
          `To manage it, add adopt: {id: "${created.id}"} to its declaration`,
        { cause: err },
      );
    }
  }

  /** Never asked (guard `none`): nothing tells one same-named organization from another. */
  async findCreated(): Promise<ObservedOrganization | undefined> {
    return undefined;
  }

  async updateOrganization(id: string, declared: Fields): Promise<ObservedOrganization> {
    const gone = () => new OrgformError("NOT_FOUND", `cannot update AIA Engine organization ${id}: it does not exist`);
    const live = await this.getWire(id);
    if (!live) throw gone();
    const procedure = `${ORG_SERVICE}/UpdateOrg`;
    const answer = await this.rpc(procedure, toUpdateRequest(live, declared, this.schemas.organization), "idempotent");
    if (answer === undefined) throw gone();
    return this.organizationOf(decodeOrg(answer, procedure));
  }

  async deleteOrganization(id: string): Promise<void> {
    try {
      await this.rpc(`${ORG_SERVICE}/DeleteOrg`, { id }, "idempotent"); // not_found: already gone
    } catch (err) {
      const body = err instanceof HttpStatusError ? connectError(err.responseBody) : undefined;
      if (body?.code === "failed_precondition") {
        throw new OrgformError("CONFLICT", `cannot delete AIA Engine organization ${id}: ${body.message || "it has an active subscription"}`, { cause: err });
      }
      throw err;
    }
  }

  /** ListOrgUsers, without external users: they collaborate in projects (outside orgform's model), not in the organization. */
  async listMembers(orgId: string): Promise<ObservedMember[]> {
    const procedure = `${ORG_SERVICE}/ListOrgUsers`;
    const answer = await this.rpc(procedure, { id: orgId }, "read", answers.orgUsers);
    if (answer === undefined) throw new OrgformError("NOT_FOUND", `cannot list the users of AIA Engine organization ${orgId}: the organization does not exist`);
    const users = decodeList(answer, "users", procedure, "ListOrgUsersResponse", decodeOrgUser);
    for (const u of users) this.knownUsers.set(u.user.email.toLowerCase(), u.user.id);
    return users.filter((u) => !u.external).map(this.memberOf);
  }

  /**
   * Members are declared by email; the API adds users by id. A new email (no platform user has it)
   * is created with CreateOrgUser, with a name taken from the email and the declared
   * `initialPassword` if any (otherwise the API generates one; orgform never reads a password back).
   * An existing one is found by UserService.ListUsers{email} and added with AddOrgUser{user_id, role},
   * which never carries a password.
   *
   * Which is sent first: AddOrgUser for an email whose user id this process has seen (listed in,
   * added to or created in any organization), CreateOrgUser for any other. In a bulk onboarding
   * most emails are new, so each costs its one call; an email already on the platform but not seen
   * here costs CreateOrgUser's already_exists, ListUsers, then AddOrgUser. A refused call changes nothing.
   *
   * A user is in an organization at most once: after an ambiguous add the users are listed; one
   * there is taken, and otherwise the add is sent again (bounded): not there, it did not commit.
   */
  async addMember(orgId: string, member: MemberAssignment, sensitive?: Fields): Promise<ObservedMember> {
    for (let attempt = 1; ; attempt++) {
      try {
        const added = await this.addOnce(orgId, member, sensitive);
        this.knownUsers.set(member.email.toLowerCase(), added.id);
        return added;
      } catch (err) {
        if (!isOrgformError(err, "AMBIGUOUS") && !isOrgformError(err, "CONFLICT")) throw err;
        const existing = (await this.listMembers(orgId)).find((m) => m.email.toLowerCase() === member.email.toLowerCase());
        if (existing) return sameRole(this.roles, existing.role, member.role) ? existing : this.setMemberRole(orgId, existing.id, roleOfAssignment("aiaengine", member));
        // Not there: sending it again cannot add it twice.
        if (attempt >= MEMBER_ADD_ATTEMPTS) throw err;
      }
    }
  }

  /** One attempt: AddOrgUser for a user id seen here, else CreateOrgUser, then (the email has a user) look it up and add it. */
  private async addOnce(orgId: string, member: MemberAssignment, sensitive?: Fields): Promise<ObservedMember> {
    const gone = () => new OrgformError("NOT_FOUND", `cannot add ${member.email} to AIA Engine organization ${orgId}: the organization does not exist`);
    const knownId = this.knownUsers.get(member.email.toLowerCase());
    if (knownId) {
      const added = await this.addUser(orgId, knownId, roleOfAssignment("aiaengine", member));
      if (added) return added;
      // not_found: the user left the platform since, or the organization is gone (CreateOrgUser tells which).
      this.knownUsers.delete(member.email.toLowerCase());
    }
    const created = await this.createUser(orgId, member, sensitive);
    if (created === "exists") {
      // The user exists (another organization's, or made meanwhile by another add of the same new email).
      const userId = await this.lookUpUser(member.email);
      if (!userId) throw new OrgformError("CONFLICT", `AIA Engine answered both "already exists" and "no such user" for ${member.email}`);
      const added = await this.addUser(orgId, userId, roleOfAssignment("aiaengine", member));
      if (!added) throw gone();
      return added;
    }
    if (!created) throw gone();
    return created;
  }

  /** The platform user of an email (UserService.ListUsers{email}, exact, case-insensitive): its id, or undefined. */
  private async lookUpUser(email: string): Promise<string | undefined> {
    const procedure = `${USER_SERVICE}/ListUsers`;
    const answer = await this.rpc(procedure, { email }, "read");
    if (answer === undefined) throw new OrgformError("PROTOCOL", `aiaengine ${procedure} answered not_found: a list has nothing to be missing`);
    const match = decodeList(answer, "users", procedure, "ListUsersResponse", decodeUser).find((u) => u.email.toLowerCase() === email.toLowerCase());
    if (match) this.knownUsers.set(email.toLowerCase(), match.id);
    return match?.id;
  }

  /** AddOrgUser{id, user_id, role}: undefined on not_found (no such user, or no such organization). */
  private async addUser(orgId: string, userId: string, role: string): Promise<ObservedMember | undefined> {
    const procedure = `${ORG_SERVICE}/AddOrgUser`;
    const added = await this.rpc(procedure, { id: orgId, user_id: userId, role }, "write");
    return added === undefined ? undefined : this.memberOf(decodeOrgUser(added, procedure));
  }

  /** CreateOrgUser: undefined on not_found (no such organization), "exists" on already_exists (a platform user has the email). */
  private async createUser(orgId: string, member: MemberAssignment, sensitive?: Fields): Promise<ObservedMember | undefined | "exists"> {
    const procedure = `${ORG_SERVICE}/CreateOrgUser`;
    const password = typeof sensitive?.initialPassword === "string" ? sensitive.initialPassword : undefined;
    try {
      const created = await this.rpc(
        procedure,
        { id: orgId, name: nameForEmail(member.email), email: member.email, ...(password !== undefined ? { password } : {}), role: member.role },
        "write",
      );
      return created === undefined ? undefined : this.memberOf(decodeOrgUser(created, procedure));
    } catch (err) {
      if (err instanceof HttpStatusError && connectError(err.responseBody)?.code === "already_exists") return "exists";
      throw err;
    }
  }

  /** UpdateOrgUser{id, user_id, role}; `memberId` is the user's id. */
  async setMemberRole(orgId: string, memberId: string, role: string): Promise<ObservedMember> {
    const procedure = `${ORG_SERVICE}/UpdateOrgUser`;
    const changed = await this.rpc(procedure, { id: orgId, user_id: memberId, role }, "idempotent");
    if (changed === undefined) throw new OrgformError("NOT_FOUND", `user ${memberId} is not in AIA Engine organization ${orgId}`);
    return this.memberOf(decodeOrgUser(changed, procedure));
  }

  /** RemoveOrgUser{id, user_id}; not_found: already gone. */
  async removeMember(orgId: string, memberId: string): Promise<void> {
    await this.rpc(`${ORG_SERVICE}/RemoveOrgUser`, { id: orgId, user_id: memberId }, "idempotent");
  }
}

export const aiaengineVendor = {
  name: "aiaengine",
  status: "implemented",
  protocol,
  open: (http: HttpClient) => new AiaEngineBackend(http) satisfies Backend & MemberAbility & BulkReadAbility,
} as const satisfies ImplementedVendor;
