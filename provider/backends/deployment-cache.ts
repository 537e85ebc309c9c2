// Bulk reads for one deployment, generic over the Backend interface. A refresh asks for every
// resource on its own; over a vendor with `BulkReadAbility` this answers those reads from one
// paginated list of the organizations (profiles inside where the vendor embeds them) and one
// member list per organization, and keeps both true by applying our own writes to them.
//
// A deployment is one process of the dynamic provider (the engine starts it per `pulumi` command),
// so the cache lives as long as the process: what another client changes during the deployment is
// not seen, as a refresh taken at its start would not see it either. What must be fresh stays
// fresh: `findCreated` after an ambiguous create and every write go to the API.
import { capabilitiesOf, type Capabilities } from "../core/capabilities";
import { isOrgformError } from "../core/errors";
import {
  hasBulkReads,
  type ChangeRecord,
  type CreateIdentity,
  type Fields,
  type FullBackend,
  type MemberAssignment,
  type ObservedMember,
  type RoleInfo,
  type ObservedOrganization,
  type OrganizationQuery,
} from "./types";

/** Members of one organization as last listed, or the NOT_FOUND the listing answered. */
type MemberList = ObservedMember[] | { gone: unknown };

export interface CacheOptions {
  /** Whether organizations are read in bulk (default true); members lists are cached either way. */
  bulkReads?: boolean;
}

/**
 * A FullBackend whose reads are served from what this deployment already listed. It offers
 * exactly the abilities of the backend it wraps (`hasProfiles`, `hasMembers`, `hasRoles` answer the same).
 */
export class DeploymentCache {
  readonly name: FullBackend["name"];
  readonly duplicateGuard: FullBackend["duplicateGuard"];
  private orgs?: Promise<Map<string, ObservedOrganization>>;
  private readonly members = new Map<string, Promise<MemberList>>();
  /** Roles of the organizations this deployment created, where the create's answer listed them. */
  private readonly createdRoles = new Map<string, RoleInfo[]>();
  private readonly bulk: boolean;
  /** The vendor's capability matrix, looked up once for the deployment (name comparison, new organizations' members). */
  private readonly capabilities: Capabilities;

  getProfile?: (orgId: string) => Promise<Fields | undefined>;
  putProfile?: (orgId: string, declared: Fields) => Promise<Fields>;
  listMembers?: (orgId: string) => Promise<ObservedMember[]>;
  addMember?: (orgId: string, member: MemberAssignment, sensitive?: Fields) => Promise<ObservedMember>;
  setMemberRole?: (orgId: string, memberId: string, role: string) => Promise<ObservedMember>;
  removeMember?: (orgId: string, memberId: string) => Promise<void>;
  listRoles?: (orgId: string) => Promise<RoleInfo[]>;
  /** The audit log is never cached: each call asks the API (`orgform drift`). */
  lastChange?: (orgId: string, days?: number) => Promise<ChangeRecord | undefined>;
  writeMarker?: (orgId: string, marker: string) => Promise<ObservedOrganization>;

  constructor(
    /** The adapter itself: every call here reaches the API. */
    readonly api: FullBackend,
    options: CacheOptions = {},
  ) {
    this.name = api.name;
    this.duplicateGuard = api.duplicateGuard;
    this.bulk = options.bulkReads !== false && hasBulkReads(api);
    this.capabilities = capabilitiesOf(api.name);
    if (api.lastChange) this.lastChange = api.lastChange.bind(api);
    if (api.getProfile && api.putProfile) {
      const getProfile = api.getProfile.bind(api);
      const putProfile = api.putProfile.bind(api);
      this.getProfile = async (orgId) => {
        // A read (refresh) lists in bulk, as an organization's read would.
        const known = this.bulk ? (await this.snapshot()).get(orgId)?.profile : undefined;
        return known ? { ...known } : getProfile(orgId);
      };
      this.putProfile = async (orgId, declared) => {
        // A write uses the list when this deployment has one, and never starts one for itself.
        const profile = await putProfile(orgId, declared, await this.knownProfile(orgId));
        this.patchOrganization(orgId, (o) => ({ ...o, profile }));
        return profile;
      };
    }
    if (api.writeMarker) {
      const writeMarker = api.writeMarker.bind(api);
      this.writeMarker = async (orgId, marker) => {
        const now = await writeMarker(orgId, marker);
        this.patchOrganization(orgId, () => now);
        return now;
      };
    }
    // Roles of each organization (`RoleAbility`) are asked of the API (the members handler reads
    // them once per update), but for an organization this deployment created with an answer that
    // listed them.
    if (api.listRoles) {
      const listRoles = api.listRoles.bind(api);
      this.listRoles = async (orgId) => this.createdRoles.get(orgId)?.map((r) => ({ ...r })) ?? listRoles(orgId);
    }
    if (api.listMembers && api.addMember && api.removeMember) {
      const listMembers = api.listMembers.bind(api);
      const addMember = api.addMember.bind(api);
      // Absent where members have no roles.
      const setMemberRole = api.setMemberRole?.bind(api);
      const removeMember = api.removeMember.bind(api);
      this.listMembers = async (orgId) => {
        let list = this.members.get(orgId);
        if (!list) {
          list = listMembers(orgId).catch((err): MemberList => {
            if (isOrgformError(err, "NOT_FOUND")) return { gone: err };
            throw err;
          });
          this.members.set(orgId, list);
          list.catch(() => this.members.get(orgId) === list && this.members.delete(orgId));
        }
        const members = await list;
        if (!Array.isArray(members)) throw members.gone;
        return members.map((m) => ({ ...m, fields: { ...m.fields } }));
      };
      this.addMember = (orgId, member, sensitive) =>
        this.memberWrite(orgId, addMember(orgId, member, sensitive), (list, added) => [
          ...list.filter((m) => m.id !== added.id && m.email.toLowerCase() !== added.email.toLowerCase()),
          added,
        ]);
      if (setMemberRole) {
        this.setMemberRole = (orgId, memberId, role) =>
          this.memberWrite(orgId, setMemberRole(orgId, memberId, role), (list, changed) => list.map((m) => (m.id === changed.id ? changed : m)));
      }
      this.removeMember = (orgId, memberId) =>
        this.memberWrite(orgId, removeMember(orgId, memberId), (list) => list.filter((m) => m.id !== memberId));
    }
  }

  // ---- organizations ----

  /** Every organization the credential sees, listed once per deployment (bulk reads only). */
  private snapshot(): Promise<Map<string, ObservedOrganization>> {
    if (!this.orgs) {
      const listing = (this.api as Required<FullBackend>).listAllOrganizations().then((all) => new Map(all.map((o) => [o.id, o])));
      this.orgs = listing;
      listing.catch(() => this.orgs === listing && (this.orgs = undefined)); // a failed listing is not kept
    }
    return this.orgs;
  }

  /** Applies one of our writes to the snapshot, after whatever listing is in flight. */
  private patchSnapshot(apply: (orgs: Map<string, ObservedOrganization>) => void): void {
    if (!this.orgs) return;
    this.orgs = this.orgs.then((orgs) => {
      apply(orgs);
      return orgs;
    });
  }

  private noteOrganization(o: ObservedOrganization): ObservedOrganization {
    // An answer without the embedded profile keeps the one already known.
    this.patchSnapshot((orgs) => orgs.set(o.id, { ...o, profile: o.profile ?? orgs.get(o.id)?.profile }));
    return o;
  }

  private patchOrganization(id: string, change: (o: ObservedOrganization) => ObservedOrganization): void {
    this.patchSnapshot((orgs) => {
      const o = orgs.get(id);
      if (o) orgs.set(id, change(o));
    });
  }

  private forgetOrganization(id: string): void {
    this.patchSnapshot((orgs) => orgs.delete(id));
    this.members.delete(id);
    this.createdRoles.delete(id);
  }

  private async knownProfile(orgId: string): Promise<Fields | undefined> {
    if (!this.orgs) return undefined;
    return (await this.snapshot()).get(orgId)?.profile;
  }

  /** From the bulk list; an id it does not hold is asked of the API (gone, or created since). */
  async getOrganization(id: string): Promise<ObservedOrganization | undefined> {
    if (!this.bulk) return this.api.getOrganization(id);
    const known = (await this.snapshot()).get(id);
    if (known) return known;
    const found = await this.api.getOrganization(id);
    return found && this.noteOrganization(found);
  }

  async findOrganizations(query: OrganizationQuery): Promise<ObservedOrganization[]> {
    if (!this.bulk) return this.api.findOrganizations(query);
    const caseInsensitive = this.capabilities.organization.nameUniqueness.caseInsensitive;
    const same = (a: string, b: string) => (caseInsensitive ? a.toLowerCase() === b.toLowerCase() : a === b);
    return [...(await this.snapshot()).values()].filter(
      (o) => (query.name === undefined || same(o.name, query.name)) && (query.parentId === undefined || o.parentId === query.parentId),
    );
  }

  /**
   * What an earlier run of this stack committed and never recorded, from the bulk list (asked
   * before a create: marker and client-id guards). After an ambiguous create ask `findCreated`,
   * which always asks the API.
   */
  async findCreatedBefore(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization | undefined> {
    if (!this.bulk) return this.api.findCreated(declared, parentId, identity);
    const orgs = await this.snapshot();
    if (this.duplicateGuard === "client-id") return orgs.get(identity.clientId);
    const named = await this.findOrganizations({ name: String(declared.name), parentId });
    return named.find((o) => o.marker === identity.marker);
  }

  async findCreated(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization | undefined> {
    const found = await this.api.findCreated(declared, parentId, identity);
    return found && this.noteOrganization(found);
  }

  async createOrganization(declared: Fields, parentId: string | null, identity: CreateIdentity): Promise<ObservedOrganization> {
    try {
      const { created: told, ...answer } = await this.api.createOrganization(declared, parentId, identity);
      const created = this.noteOrganization(answer);
      // Answered, not ambiguous: it is new. Its members are what the answer included, or none
      // where the vendor makes new organizations empty; its roles, what the answer included.
      const members = told?.members ?? (this.capabilities.members.createdEmpty ? [] : undefined);
      if (this.listMembers && members) this.members.set(created.id, Promise.resolve(members));
      if (this.listRoles && told?.roles) this.createdRoles.set(created.id, told.roles);
      return created;
    } catch (err) {
      // A name taken since the list was made: the list no longer tells, list again when asked.
      if (isOrgformError(err, "CONFLICT")) this.orgs = undefined;
      throw err;
    }
  }

  async updateOrganization(id: string, declared: Fields, parentId: string | null | undefined): Promise<ObservedOrganization> {
    try {
      return this.noteOrganization(await this.api.updateOrganization(id, declared, parentId));
    } catch (err) {
      this.forgetOrganization(id);
      throw err;
    }
  }

  async deleteOrganization(id: string): Promise<void> {
    try {
      await this.api.deleteOrganization(id);
    } finally {
      // Gone, or refused: either way the next read of it asks the API.
      this.forgetOrganization(id);
    }
  }

  // ---- members ----

  /** A member write, applied to the cached list when it succeeds; the list is dropped when it fails. */
  private async memberWrite<T>(orgId: string, write: Promise<T>, apply: (list: ObservedMember[], result: T) => ObservedMember[]): Promise<T> {
    let result: T;
    try {
      result = await write;
    } catch (err) {
      this.members.delete(orgId);
      throw err;
    }
    const list = this.members.get(orgId);
    if (list) this.members.set(orgId, list.then((l) => (Array.isArray(l) ? apply(l, result) : l)));
    return result;
  }
}

/** The cache seen as the backend it wraps (it has the same methods, optional abilities included). */
export function withDeploymentCache(api: FullBackend, options?: CacheOptions): DeploymentCache & FullBackend {
  return new DeploymentCache(api, options) as DeploymentCache & FullBackend;
}
