import type { FastifyInstance } from "fastify";
import type { JsonObject, OrgRow } from "../../store";
import { isObject } from "../../json";
import { MEMBERSHIP_CREATE, MEMBERSHIP_UPDATE, BASE_WRITABLE, send, createRequest, updateRequest, baseProblems, baseValues, relatedIds } from "./common";
import { ClError, invalid, relatedId, unprocessable, type ApiErrorItem } from "./jsonapi";
import type { Kit } from "./kit";
import { ACCESS_SCOPES, applicationMembershipResource, BACKEND, EMAIL, findMembership, memberUniqueKey, membershipDocument, membershipProfileResource, membershipResource, newClId, orgDocument, type ApplicationMembershipRecord, type MembershipProfileRecord, type MembershipDocument, type RoleRecord } from "./wire";

/** Memberships (with `resend`), membership profiles and application memberships, and their relationships. */
export function registerMemberships(app: FastifyInstance, kit: Kit): void {
  const { store, baseUrl, now, visibleOrg, visibleMembership, credentialsOf, profilesOf, appMembershipsOf, locate, oneAnswer, listRoute, allOf, relatedRoutes, saveDoc, version, recordVersion, changes } = kit;
  // ---- memberships ----
  listRoute("/memberships", "memberships", allOf("memberships"));
  app.get("/memberships/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "memberships", (req.params as { id: string }).id).resource)));
  relatedRoutes("memberships", ["organization", "role", "application_memberships", "membership_profile", "versions"]);

  /** The SDK's `resend`: `POST /memberships/{id}/resend` sends the invitation again (204); an accepted one has none (422, our reading). */
  app.post("/memberships/:id/resend", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.read(() => {
      const m = visibleMembership(req, id);
      if (membershipDocument(m).status !== "pending") throw unprocessable([invalid("status", "is active: the invitation was accepted, there is none to resend", "invalid")]);
    });
    return reply.code(204).send();
  });

/** Problems of a membership's own attributes (422 items). */
  function membershipProblems(attributes: Record<string, unknown>): ApiErrorItem[] {
    const problems: ApiErrorItem[] = [];
    if (attributes.access_scope !== undefined && attributes.access_scope !== null && !(ACCESS_SCOPES as readonly unknown[]).includes(attributes.access_scope)) {
      problems.push(invalid("access_scope", `is not included in the list (${ACCESS_SCOPES.join(", ")})`, "inclusion"));
    }
    for (const k of ["reference", "reference_origin"]) {
      if (attributes[k] !== undefined && attributes[k] !== null && typeof attributes[k] !== "string") problems.push(invalid(k, "must be a string", "invalid"));
    }
    if (attributes.metadata !== undefined && attributes.metadata !== null && (typeof attributes.metadata !== "object" || Array.isArray(attributes.metadata))) {
      problems.push(invalid("metadata", "must be an object", "invalid"));
    }
    return problems;
  }

  /** A membership's profile: one of the organization's (422 otherwise). */
  function profileProblemsOf(org: OrgRow, profileId: string | null | undefined): ApiErrorItem[] {
    return profileId && !profilesOf(org).some((p) => p.id === profileId) ? [invalid("membership_profile", `must be one of the membership profiles of organization ${org.id}`, "invalid", "relationships")] : [];
  }

  /** The role a membership names: one of the organization's own roles (422 otherwise). */
  function roleOf(org: OrgRow, roleId: string | null | undefined): RoleRecord | ApiErrorItem {
    if (!roleId) return invalid("role", "must exist", "blank", "relationships");
    const role = orgDocument(org).roles.find((r) => r.id === roleId);
    return role ?? invalid("role", `must be one of the roles of organization ${org.id}`, "invalid", "relationships");
  }

  app.post("/memberships", async (req, reply) => {
    const { rr, attributes, relationships } = createRequest(req, "memberships", { attributes: MEMBERSHIP_CREATE, relationships: ["organization", "role", "application_memberships", "membership_profile"] });
    const orgId = relatedId(relationships, "organization", "organizations");
    const roleId = relatedId(relationships, "role", "roles");
    const profileId = relatedId(relationships, "membership_profile", "membership_profiles");
    const appIds = relatedIds(relationships, "application_memberships", "application_memberships");
    const created = store.tx(() => {
      const problems = membershipProblems(attributes);
      const email = attributes.user_email;
      if (typeof email !== "string" || email.trim() === "") problems.push(invalid("user_email", "can't be blank", "blank"));
      else if (!EMAIL.test(email)) problems.push(invalid("user_email", "is invalid", "invalid"));
      if (!orgId) {
        problems.push(invalid("organization", "must exist", "blank", "relationships"));
        throw unprocessable(problems);
      }
      const org = visibleOrg(req, orgId);
      const role = roleOf(org, roleId);
      if ("detail" in role) problems.push(role);
      if (typeof email === "string" && store.findMemberByUniqueKey(BACKEND, memberUniqueKey(org.id, email))) {
        problems.push(invalid("user_email", "has already been taken (the user is already a member of this organization)", "taken"));
      }
      problems.push(...profileProblemsOf(org, profileId));
      const newId = newClId();
      const apps = linkAppMemberships(org, appIds, { membership_id: newId }, problems);
      if (problems.length) throw unprocessable(problems);
      const t = now();
      if (appIds !== undefined) saveDoc(org, { ...orgDocument(org), application_memberships: apps });
      const doc: MembershipDocument = {
        role_id: (role as RoleRecord).id,
        membership_profile_id: profileId ?? null,
        status: "pending",
        owner: false,
        access_scope: (attributes.access_scope as string | undefined) ?? "live_access",
        // The SDK types both as non-null strings: empty until the invited user gives them.
        user_first_name: "",
        user_last_name: "",
        reference: (attributes.reference as string | null | undefined) ?? null,
        reference_origin: (attributes.reference_origin as string | null | undefined) ?? null,
        metadata: (attributes.metadata as JsonObject | undefined) ?? {},
      };
      const row = store.insertMember({ backend: BACKEND, id: newId, orgId: org.id, email: (email as string).trim(), uniqueKey: memberUniqueKey(org.id, email as string), document: doc as never, createTime: t });
      recordVersion(org.id, version("memberships", row.id, "create", { user_email: [null, row.email] as never, role_id: [null, doc.role_id] as never }));
      return oneAnswer(req, membershipResource(row, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/memberships/:id", async (req) => {
    const { id, rr, attributes, relationships } = updateRequest(req, "memberships", { attributes: MEMBERSHIP_UPDATE, relationships: ["role", "application_memberships", "membership_profile"] });
    const roleId = relatedId(relationships, "role", "roles");
    const profileId = relatedId(relationships, "membership_profile", "membership_profiles");
    const appIds = relatedIds(relationships, "application_memberships", "application_memberships");
    return store.tx(() => {
      const row = visibleMembership(req, id);
      const org = store.getOrg(BACKEND, row.orgId)!;
      const problems = membershipProblems(attributes);
      const doc = { ...membershipDocument(row) };
      if (roleId !== undefined) {
        const role = roleOf(org, roleId);
        if ("detail" in role) problems.push(role);
        else doc.role_id = role.id;
      }
      problems.push(...profileProblemsOf(org, profileId));
      if (profileId !== undefined) doc.membership_profile_id = profileId;
      const apps = linkAppMemberships(org, appIds, { membership_id: id }, problems);
      if (problems.length) throw unprocessable(problems);
      if (appIds !== undefined) saveDoc(org, { ...orgDocument(org), application_memberships: apps });
      for (const k of MEMBERSHIP_UPDATE) if (attributes[k] !== undefined) (doc as unknown as Record<string, unknown>)[k] = attributes[k];
      const updated = store.updateMember(BACKEND, id, { email: row.email, uniqueKey: row.uniqueKey, document: doc as never, updateTime: now() });
      const before = membershipDocument(row);
      const changed = changes(before as unknown as Record<string, unknown>, { role_id: doc.role_id, access_scope: doc.access_scope, reference: doc.reference, reference_origin: doc.reference_origin, metadata: doc.metadata });
      if (Object.keys(changed).length) recordVersion(org.id, version("memberships", id, "update", changed));
      return oneAnswer(req, membershipResource(updated, baseUrl(req)), rr);
    });
  });

  app.delete("/memberships/:id", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.tx(() => {
      const row = visibleMembership(req, id);
      if (membershipDocument(row).owner) {
        throw ClError.of(422, "VALIDATION_ERROR", "cannot be deleted", "the owner's membership cannot be deleted: transfer the ownership first");
      }
      store.deleteMember(BACKEND, id);
      const org = store.getOrg(BACKEND, row.orgId)!;
      const apps = appMembershipsOf(org);
      if (apps.some((a) => a.membership_id === id)) saveDoc(org, { ...orgDocument(org), application_memberships: apps.map((a) => (a.membership_id === id ? { ...a, membership_id: null } : a)) });
      recordVersion(row.orgId, version("memberships", id, "destroy", { user_email: [row.email, null] as never }));
    });
    return reply.code(204).send();
  });

  // ---- membership profiles ----
  listRoute("/membership_profiles", "membership_profiles", allOf("membership_profiles"));
  app.get("/membership_profiles/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "membership_profiles", (req.params as { id: string }).id).resource)));
  relatedRoutes("membership_profiles", ["organization", "application_memberships"]);

  function profileProblems(org: OrgRow, attributes: Record<string, unknown>, creating: boolean, except?: string): ApiErrorItem[] {
    const problems = baseProblems(attributes);
    if (creating || attributes.name !== undefined) {
      if (typeof attributes.name !== "string" || attributes.name.trim() === "") problems.push(invalid("name", "can't be blank", "blank"));
      else if (profilesOf(org).some((p) => p.id !== except && p.name.toLowerCase() === (attributes.name as string).trim().toLowerCase())) problems.push(invalid("name", "has already been taken", "taken"));
    }
    if (creating || attributes.access_scope !== undefined) {
      if (!(ACCESS_SCOPES as readonly unknown[]).includes(attributes.access_scope)) {
        problems.push(attributes.access_scope === undefined || attributes.access_scope === null ? invalid("access_scope", "can't be blank", "blank") : invalid("access_scope", `is not included in the list (${ACCESS_SCOPES.join(", ")})`, "inclusion"));
      }
    }
    return problems;
  }

  /** Links the application memberships a write names (`relationships.application_memberships`) to `link`; 422 items for those not of the organization. */
  function linkAppMemberships(org: OrgRow, ids: string[] | undefined, link: Partial<ApplicationMembershipRecord>, problems: ApiErrorItem[]): ApplicationMembershipRecord[] {
    const all = appMembershipsOf(org);
    if (ids === undefined) return all;
    for (const id of ids) if (!all.some((a) => a.id === id)) problems.push(invalid("application_memberships", `must be application memberships of organization ${org.id}`, "invalid", "relationships"));
    return all.map((a) => (ids.includes(a.id) ? { ...a, ...link, updated_at: now() } : a));
  }

  app.post("/membership_profiles", async (req, reply) => {
    const { rr, attributes, relationships } = createRequest(req, "membership_profiles", { attributes: ["name", "access_scope", ...BASE_WRITABLE], relationships: ["organization", "application_memberships"] });
    const orgId = relatedId(relationships, "organization", "organizations");
    const appIds = relatedIds(relationships, "application_memberships", "application_memberships");
    const created = store.tx(() => {
      if (!orgId) throw unprocessable([...baseProblems(attributes), invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      const problems = profileProblems(org, attributes, true);
      const t = now();
      const p: MembershipProfileRecord = { id: newClId(), name: String(attributes.name ?? "").trim(), access_scope: attributes.access_scope as MembershipProfileRecord["access_scope"], created_at: t, updated_at: t, ...baseValues(attributes) };
      const apps = linkAppMemberships(org, appIds, { membership_profile_id: p.id }, problems);
      if (problems.length) throw unprocessable(problems);
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, membership_profiles: [...profilesOf(org), p], application_memberships: apps });
      return oneAnswer(req, membershipProfileResource(saved, p, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/membership_profiles/:id", async (req) => {
    const { id, rr, attributes, relationships } = updateRequest(req, "membership_profiles", { attributes: ["name", "access_scope", ...BASE_WRITABLE], relationships: ["application_memberships"] });
    const appIds = relatedIds(relationships, "application_memberships", "application_memberships");
    return store.tx(() => {
      const { org } = locate(req, "membership_profiles", id);
      const p = profilesOf(org).find((x) => x.id === id)!;
      const problems = profileProblems(org, attributes, false, id);
      const apps = linkAppMemberships(org, appIds, { membership_profile_id: id }, problems);
      if (problems.length) throw unprocessable(problems);
      const next: MembershipProfileRecord = {
        ...p,
        ...(typeof attributes.name === "string" ? { name: attributes.name.trim() } : {}),
        ...(attributes.access_scope !== undefined ? { access_scope: attributes.access_scope as MembershipProfileRecord["access_scope"] } : {}),
        ...baseValues(attributes),
        updated_at: now(),
      };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, membership_profiles: profilesOf(org).map((x) => (x.id === id ? next : x)), application_memberships: apps });
      return oneAnswer(req, membershipProfileResource(saved, next, baseUrl(req)), rr);
    });
  });

  /** Deleting a profile unlinks it from its memberships and application memberships (our reading). */
  app.delete("/membership_profiles/:id", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.tx(() => {
      const { org } = locate(req, "membership_profiles", id);
      const doc = orgDocument(org);
      const t = now();
      saveDoc(org, {
        ...doc,
        membership_profiles: profilesOf(org).filter((x) => x.id !== id),
        application_memberships: appMembershipsOf(org).map((a) => (a.membership_profile_id === id ? { ...a, membership_profile_id: null, updated_at: t } : a)),
      });
      for (const m of store.membersOf(BACKEND, org.id)) {
        const md = membershipDocument(m);
        if (md.membership_profile_id === id) store.updateMember(BACKEND, m.id, { email: m.email, uniqueKey: m.uniqueKey, document: { ...md, membership_profile_id: null } as never, updateTime: t });
      }
    });
    return reply.code(204).send();
  });

  // ---- application memberships ----
  listRoute("/application_memberships", "application_memberships", allOf("application_memberships"));
  app.get("/application_memberships/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "application_memberships", (req.params as { id: string }).id).resource)));
  relatedRoutes("application_memberships", ["api_credential", "membership", "membership_profile", "organization", "role"]);

  /** An application membership's links, each of the organization's own (422 items otherwise). */
  function appLinkProblems(org: OrgRow, links: { api_credential?: string | null; membership?: string | null; membership_profile?: string | null; role?: string | null }): ApiErrorItem[] {
    const problems: ApiErrorItem[] = [];
    const own = (name: string, ok: boolean) => {
      if (!ok) problems.push(invalid(name, `must be one of organization ${org.id}'s`, "invalid", "relationships"));
    };
    if (links.api_credential) own("api_credential", credentialsOf(org).some((c) => c.id === links.api_credential));
    if (links.membership) own("membership", findMembership(store, links.membership)?.orgId === org.id);
    if (links.membership_profile) own("membership_profile", profilesOf(org).some((p) => p.id === links.membership_profile));
    if (links.role) own("role", orgDocument(org).roles.some((r) => r.id === links.role));
    return problems;
  }
  function filtersProblems(attributes: Record<string, unknown>): ApiErrorItem[] {
    const problems = baseProblems(attributes);
    if (attributes.filters !== undefined && attributes.filters !== null && !isObject(attributes.filters)) problems.push(invalid("filters", "must be an object", "invalid"));
    return problems;
  }

  app.post("/application_memberships", async (req, reply) => {
    const { rr, attributes, relationships } = createRequest(req, "application_memberships", { attributes: ["filters", ...BASE_WRITABLE], relationships: ["api_credential", "membership", "membership_profile", "organization", "role"] });
    const links = {
      api_credential: relatedId(relationships, "api_credential", "api_credentials"),
      membership: relatedId(relationships, "membership", "memberships"),
      membership_profile: relatedId(relationships, "membership_profile", "membership_profiles"),
      role: relatedId(relationships, "role", "roles"),
    };
    const orgId = relatedId(relationships, "organization", "organizations");
    const created = store.tx(() => {
      const problems = filtersProblems(attributes);
      for (const k of ["api_credential", "role"] as const) if (!links[k]) problems.push(invalid(k, "must exist", "blank", "relationships"));
      if (!orgId) throw unprocessable([...problems, invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      problems.push(...appLinkProblems(org, links));
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const a: ApplicationMembershipRecord = {
        id: newClId(),
        filters: (attributes.filters as JsonObject | null | undefined) ?? null,
        api_credential_id: links.api_credential!,
        membership_id: links.membership ?? null,
        membership_profile_id: links.membership_profile ?? null,
        role_id: links.role!,
        created_at: t,
        updated_at: t,
        ...baseValues(attributes),
      };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, application_memberships: [...appMembershipsOf(org), a] });
      return oneAnswer(req, applicationMembershipResource(saved, a, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/application_memberships/:id", async (req) => {
    const { id, rr, attributes, relationships } = updateRequest(req, "application_memberships", { attributes: ["filters", ...BASE_WRITABLE], relationships: ["membership_profile", "role"] });
    const profile = relatedId(relationships, "membership_profile", "membership_profiles");
    const role = relatedId(relationships, "role", "roles");
    return store.tx(() => {
      const { org } = locate(req, "application_memberships", id);
      const a = appMembershipsOf(org).find((x) => x.id === id)!;
      const problems = [...filtersProblems(attributes), ...appLinkProblems(org, { membership_profile: profile, role })];
      if (role === null) problems.push(invalid("role", "must exist", "blank", "relationships"));
      if (problems.length) throw unprocessable(problems);
      const next: ApplicationMembershipRecord = {
        ...a,
        ...(attributes.filters !== undefined ? { filters: attributes.filters as JsonObject | null } : {}),
        ...(profile !== undefined ? { membership_profile_id: profile } : {}),
        ...(role ? { role_id: role } : {}),
        ...baseValues(attributes),
        updated_at: now(),
      };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, application_memberships: appMembershipsOf(org).map((x) => (x.id === id ? next : x)) });
      return oneAnswer(req, applicationMembershipResource(saved, next, baseUrl(req)), rr);
    });
  });

  app.delete("/application_memberships/:id", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.tx(() => {
      const { org } = locate(req, "application_memberships", id);
      saveDoc(org, { ...orgDocument(org), application_memberships: appMembershipsOf(org).filter((x) => x.id !== id) });
    });
    return reply.code(204).send();
  });
}
