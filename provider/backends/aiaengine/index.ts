// AIA Engine adapter (document 004, the Python SDK's Org), over our REST design of the
// aiaengine.api.org gRPC service: errors are google.rpc.Status {code, message}; no paging; update
// replaces; no name uniqueness, hence no way to recognise what an ambiguous create committed.
import { HttpClient, HttpStatusError, type HttpMethod } from "../../http/client";
import { OrgformError, isOrgformError } from "../../core/errors";
import { sameRole } from "../../core/roles";
import { roleOfAssignment } from "../types";
import type { Backend, BulkReadAbility, Fields, MemberAbility, MemberAssignment, ObservedMember, ObservedOrganization, OrganizationQuery } from "../types";
import { toWire } from "../../core/wire";
import { schemaFor } from "../../core/schema";
import { fromOrganization, fromOrgUser, nameForEmail, toUpdateBody, type WireOrgUser, type WireOrganization } from "./mappers";
import type { ImplementedVendor } from "../index";

/** google.rpc.Code FAILED_PRECONDITION: the vendor's refusal to delete while a subscription is active. */
const FAILED_PRECONDITION = 9;

/** Attempts at adding one member when a POST fails ambiguously and the member is not there. */
const MEMBER_ADD_ATTEMPTS = 6;

const orgPath = (id: string) => `/v1/orgs/${encodeURIComponent(id)}`;

export class AiaEngineBackend implements Backend, MemberAbility, BulkReadAbility {
  readonly name = "aiaengine" as const;
  /**
   * Organizations have a name and a description only, names are not unique and there is no free
   * field for a marker nor a client-chosen id: an ambiguous create is never retried (fail closed).
   */
  readonly duplicateGuard = "none" as const;

  /** Emails this process has seen as platform users (users are platform-wide): see `addMember`. */
  private readonly knownUsers = new Set<string>();

  constructor(private readonly http: HttpClient) {}

  /** The answer's body; undefined on 404; any other failure as an error with the vendor's message. */
  private async call<T>(method: HttpMethod, path: string, body?: unknown): Promise<T | undefined> {
    const res = await this.http.send({ method, path, body });
    if (res.status >= 200 && res.status < 300) return res.body as T;
    if (res.status === 404) return undefined;
    throw new HttpStatusError(res.status, res.body, `aiaengine ${method} ${path.split("?")[0]}`);
  }

  private async getWire(id: string): Promise<WireOrganization | undefined> {
    return this.call<WireOrganization>("GET", orgPath(id));
  }

  async getOrganization(id: string): Promise<ObservedOrganization | undefined> {
    const wire = await this.getWire(id);
    return wire && fromOrganization(wire);
  }

  /** list_user_orgs(): every organization of the caller in one answer (no paging), as get_org returns each. */
  async listAllOrganizations(): Promise<ObservedOrganization[]> {
    const answer = await this.call<{ orgs: WireOrganization[] }>("GET", "/v1/orgs");
    return (answer?.orgs ?? []).map(fromOrganization);
  }

  /** The same list; names compared exactly (nothing folds them). */
  async findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]> {
    if (query.parentId) return []; // no hierarchy: nothing is below anything
    return (await this.listAllOrganizations()).filter((o) => query.name === undefined || o.name === query.name);
  }

  async createOrganization(declared: Fields): Promise<ObservedOrganization> {
    const wire = await this.call<WireOrganization>("POST", "/v1/orgs", toWire(declared, schemaFor("aiaengine", "organization")));
    return fromOrganization(wire!);
  }

  /** Never asked (guard `none`): nothing tells one same-named organization from another. */
  async findCreated(): Promise<ObservedOrganization | undefined> {
    return undefined;
  }

  async updateOrganization(id: string, declared: Fields): Promise<ObservedOrganization> {
    const gone = () => new OrgformError("NOT_FOUND", `cannot update AIA Engine organization ${id}: it does not exist`);
    const live = await this.getWire(id);
    if (!live) throw gone();
    const wire = await this.call<WireOrganization>("PUT", orgPath(id), toUpdateBody(live, declared));
    if (!wire) throw gone();
    return fromOrganization(wire);
  }

  async deleteOrganization(id: string): Promise<void> {
    try {
      await this.call("DELETE", orgPath(id));
    } catch (err) {
      const body = err instanceof HttpStatusError ? (err.responseBody as { code?: number; message?: string } | undefined) : undefined;
      if (body?.code === FAILED_PRECONDITION) {
        throw new OrgformError("CONFLICT", `cannot delete AIA Engine organization ${id}: ${body.message ?? "it has an active subscription"}`, { cause: err });
      }
      throw err;
    }
  }

  /** list_users(), without external users: they collaborate in projects (outside orgform's model), not in the organization. */
  async listMembers(orgId: string): Promise<ObservedMember[]> {
    const answer = await this.call<{ users: WireOrgUser[] }>("GET", `${orgPath(orgId)}/users`);
    if (!answer) throw new OrgformError("NOT_FOUND", `cannot list the users of AIA Engine organization ${orgId}: the organization does not exist`);
    for (const u of answer.users) this.knownUsers.add(u.user.email.toLowerCase());
    return answer.users.filter((u) => !u.external).map(fromOrgUser);
  }

  /**
   * add_user(email, role) for an existing platform user; for an email no user has, create_user
   * with a name taken from the email and the declared `initialPassword` if any (otherwise the API
   * generates one; orgform never reads a password back). add_user never carries a password.
   *
   * Which one is sent first: add_user for an email this process has seen as a platform user
   * (listed in, added to or created in any organization), create_user for any other. In a bulk
   * onboarding most emails are new, so each costs its one call (add_user first cost two: a 404,
   * then create_user); an email already on the platform but not seen here costs create_user's
   * 409, then add_user. Neither answer changes anything when it fails.
   *
   * A user is in an organization at most once: after an ambiguous POST the members are listed; one
   * there is taken, and otherwise the add is sent again (bounded): not there, it did not commit.
   */
  async addMember(orgId: string, member: MemberAssignment, sensitive?: Fields): Promise<ObservedMember> {
    for (let attempt = 1; ; attempt++) {
      try {
        const added = await this.addOnce(orgId, member, sensitive);
        this.knownUsers.add(member.email.toLowerCase());
        return added;
      } catch (err) {
        if (!isOrgformError(err, "AMBIGUOUS") && !isOrgformError(err, "CONFLICT")) throw err;
        const existing = (await this.listMembers(orgId)).find((m) => m.email.toLowerCase() === member.email.toLowerCase());
        if (existing) return sameRole("aiaengine", existing.role, member.role) ? existing : this.setMemberRole(orgId, existing.id, roleOfAssignment("aiaengine", member));
        // Not there: sending it again cannot add it twice.
        if (attempt >= MEMBER_ADD_ATTEMPTS) throw err;
      }
    }
  }

  /** One attempt: add_user then create_user, or (an email not seen here) create_user then add_user. */
  private async addOnce(orgId: string, member: MemberAssignment, sensitive?: Fields): Promise<ObservedMember> {
    const gone = () => new OrgformError("NOT_FOUND", `cannot add ${member.email} to AIA Engine organization ${orgId}: the organization does not exist`);
    const known = this.knownUsers.has(member.email.toLowerCase());
    if (known) {
      const added = await this.addUser(orgId, member);
      if (added) return added;
      // 404: no such user (removed from the platform since), or no such organization, which create_user answers 404 too.
    }
    const created = await this.createUser(orgId, member, sensitive);
    if (created === "exists") {
      if (known) throw new OrgformError("CONFLICT", `AIA Engine answered both "no such user" and "already exists" for ${member.email}`);
      // The user exists (another organization's, or made meanwhile by another add of the same new email).
      const added = await this.addUser(orgId, member);
      if (!added) throw gone();
      return added;
    }
    if (!created) throw gone();
    return created;
  }

  /** add_user: undefined on 404 (no such user, or no such organization). */
  private async addUser(orgId: string, member: MemberAssignment): Promise<ObservedMember | undefined> {
    const added = await this.call<WireOrgUser>("POST", `${orgPath(orgId)}/users`, { email: member.email, role: member.role });
    return added && fromOrgUser(added);
  }

  /** create_user: undefined on 404 (no such organization), "exists" on 409 (a platform user has the email). */
  private async createUser(orgId: string, member: MemberAssignment, sensitive?: Fields): Promise<ObservedMember | undefined | "exists"> {
    const password = typeof sensitive?.initialPassword === "string" ? sensitive.initialPassword : undefined;
    try {
      const created = await this.call<WireOrgUser>("POST", `${orgPath(orgId)}/users:create`, {
        name: nameForEmail(member.email),
        email: member.email,
        ...(password !== undefined ? { password } : {}),
        role: member.role,
      });
      return created && fromOrgUser(created);
    } catch (err) {
      if (err instanceof HttpStatusError && err.status === 409) return "exists";
      throw err;
    }
  }

  async setMemberRole(orgId: string, memberId: string, role: string): Promise<ObservedMember> {
    const changed = await this.call<WireOrgUser>("PUT", `${orgPath(orgId)}/users/${encodeURIComponent(memberId)}`, { role });
    if (!changed) throw new OrgformError("NOT_FOUND", `user ${memberId} is not in AIA Engine organization ${orgId}`);
    return fromOrgUser(changed);
  }

  async removeMember(orgId: string, memberId: string): Promise<void> {
    await this.call("DELETE", `${orgPath(orgId)}/users/${encodeURIComponent(memberId)}`);
  }
}

export const aiaengineVendor = {
  name: "aiaengine",
  status: "implemented",
  open: (http: HttpClient) => new AiaEngineBackend(http) satisfies Backend & MemberAbility & BulkReadAbility,
} as const satisfies ImplementedVendor;
