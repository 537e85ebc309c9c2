import type { FastifyInstance } from "fastify";
import type { OrgRow } from "../../store";
import { BASE_WRITABLE, PERMISSION_RIGHTS, EXPIRES_IN, send, createRequest, updateRequest, baseProblems, baseValues, secret } from "./common";
import { invalid, relatedId, unprocessable, type ApiErrorItem } from "./jsonapi";
import type { Kit } from "./kit";
import { apiCredentialResource, basePermissions, newClId, orgDocument, permissionResource, roleResource, type ApiCredentialRecord, type PermissionRecord, type RoleRecord } from "./wire";

/** Roles, permissions and api credentials: what a member or an application may do in an organization. */
export function registerAccess(app: FastifyInstance, kit: Kit): void {
  const { store, baseUrl, now, visibleOrg, locate, oneAnswer, listRoute, allOf, relatedRoutes, saveDoc, version, recordVersion, changes } = kit;
  // ---- roles ----
  listRoute("/roles", "roles", allOf("roles"));
  app.get("/roles/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "roles", (req.params as { id: string }).id).resource)));
  relatedRoutes("roles", ["organization", "permissions", "memberships", "api_credentials", "versions"]);

  const roleNameProblems = (org: OrgRow, name: unknown, except?: string): ApiErrorItem[] => {
    if (typeof name !== "string" || name.trim() === "") return [invalid("name", "can't be blank", "blank")];
    const clash = orgDocument(org).roles.find((r) => r.id !== except && r.name.toLowerCase() === name.trim().toLowerCase());
    return clash ? [invalid("name", "has already been taken", "taken")] : [];
  };

  app.post("/roles", async (req, reply) => {
    const { rr, attributes, relationships } = createRequest(req, "roles", { attributes: ["name", ...BASE_WRITABLE], relationships: ["organization"] });
    const orgId = relatedId(relationships, "organization", "organizations");
    const created = store.tx(() => {
      const problems = baseProblems(attributes);
      if (!orgId) throw unprocessable([...problems, invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      problems.unshift(...roleNameProblems(org, attributes.name));
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const role: RoleRecord = { id: newClId(), name: String(attributes.name).trim(), kind: "custom", created_at: t, updated_at: t, ...baseValues(attributes) };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, roles: [...doc.roles, role] });
      recordVersion(org.id, version("roles", role.id, "create", { name: [null, role.name] as never, kind: [null, "custom"] as never }));
      return oneAnswer(req, roleResource(saved, role, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/roles/:id", async (req) => {
    const { id, rr, attributes } = updateRequest(req, "roles", { attributes: ["name", ...BASE_WRITABLE, "_add_missing_base_permissions"], relationships: [] });
    return store.tx(() => {
      const { org } = locate(req, "roles", id);
      const doc = orgDocument(org);
      const role = doc.roles.find((r) => r.id === id)!;
      const problems = [...baseProblems(attributes), ...(attributes.name !== undefined ? roleNameProblems(org, attributes.name, role.id) : [])];
      const add = attributes._add_missing_base_permissions;
      if (add !== undefined && add !== null && typeof add !== "boolean") problems.push(invalid("_add_missing_base_permissions", "must be true or false", "invalid"));
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const next: RoleRecord = { ...role, ...(attributes.name !== undefined ? { name: String(attributes.name).trim() } : {}), ...baseValues(attributes), updated_at: t };
      const permissions = [...(doc.permissions ?? [])];
      if (add === true) permissions.push(...basePermissions(next, permissions, t));
      const saved = saveDoc(org, { ...doc, roles: doc.roles.map((r) => (r.id === id ? next : r)), permissions });
      const changed = changes(role as unknown as Record<string, unknown>, { name: next.name, reference: next.reference, reference_origin: next.reference_origin, metadata: next.metadata });
      if (Object.keys(changed).length) recordVersion(org.id, version("roles", id, "update", changed));
      return oneAnswer(req, roleResource(saved, next, baseUrl(req)), rr);
    });
  });

  // ---- permissions ----
  listRoute("/permissions", "permissions", allOf("permissions"));
  app.get("/permissions/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "permissions", (req.params as { id: string }).id).resource)));
  relatedRoutes("permissions", ["organization", "role", "versions"]);

  function rightsProblems(attributes: Record<string, unknown>, creating: boolean): ApiErrorItem[] {
    const problems = baseProblems(attributes);
    for (const k of PERMISSION_RIGHTS) {
      const v = attributes[k];
      if (v === undefined && !creating) continue;
      if (typeof v !== "boolean") problems.push(v === undefined || v === null ? invalid(k, "can't be blank", "blank") : invalid(k, "must be true or false", "invalid"));
    }
    return problems;
  }
  /** The standard roles' permissions are the vendor's (our reading): only a custom role's change. */
  const standardRole = (role: RoleRecord) => invalid("role", `is a standard role (${role.kind}): its permissions cannot be changed`, "invalid", "relationships");

  app.post("/permissions", async (req, reply) => {
    const { rr, attributes, relationships } = createRequest(req, "permissions", { attributes: [...PERMISSION_RIGHTS, "subject", ...BASE_WRITABLE], relationships: ["role"] });
    const roleId = relatedId(relationships, "role", "roles");
    const created = store.tx(() => {
      const problems = rightsProblems(attributes, true);
      const subject = attributes.subject;
      if (typeof subject !== "string" || subject.trim() === "") problems.push(invalid("subject", "can't be blank", "blank"));
      if (!roleId) throw unprocessable([...problems, invalid("role", "must exist", "blank", "relationships")]);
      const { org } = locate(req, "roles", roleId);
      const doc = orgDocument(org);
      const role = doc.roles.find((r) => r.id === roleId)!;
      if (role.kind !== "custom") problems.push(standardRole(role));
      if (typeof subject === "string" && (doc.permissions ?? []).some((p) => p.role_id === roleId && p.subject === subject)) problems.push(invalid("subject", "has already been taken", "taken"));
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const p: PermissionRecord = {
        id: newClId(),
        role_id: roleId,
        subject: String(subject),
        can_create: attributes.can_create as boolean,
        can_read: attributes.can_read as boolean,
        can_update: attributes.can_update as boolean,
        can_destroy: attributes.can_destroy as boolean,
        restrictions: {},
        created_at: t,
        updated_at: t,
        ...baseValues(attributes),
      };
      const saved = saveDoc(org, { ...doc, permissions: [...(doc.permissions ?? []), p] });
      recordVersion(org.id, version("permissions", p.id, "create", changes({}, { subject: p.subject, can_create: p.can_create, can_read: p.can_read, can_update: p.can_update, can_destroy: p.can_destroy })));
      return oneAnswer(req, permissionResource(saved, p, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/permissions/:id", async (req) => {
    const { id, rr, attributes } = updateRequest(req, "permissions", { attributes: [...PERMISSION_RIGHTS, ...BASE_WRITABLE], relationships: [] });
    return store.tx(() => {
      const { org } = locate(req, "permissions", id);
      const doc = orgDocument(org);
      const p = (doc.permissions ?? []).find((x) => x.id === id)!;
      const role = doc.roles.find((r) => r.id === p.role_id);
      const problems = rightsProblems(attributes, false);
      if (role && role.kind !== "custom" && PERMISSION_RIGHTS.some((k) => attributes[k] !== undefined)) problems.push(standardRole(role));
      if (problems.length) throw unprocessable(problems);
      const next: PermissionRecord = { ...p, ...Object.fromEntries(PERMISSION_RIGHTS.filter((k) => attributes[k] !== undefined).map((k) => [k, attributes[k]])), ...baseValues(attributes), updated_at: now() };
      const saved = saveDoc(org, { ...doc, permissions: (doc.permissions ?? []).map((x) => (x.id === id ? next : x)) });
      const changed = changes(p as unknown as Record<string, unknown>, Object.fromEntries(PERMISSION_RIGHTS.map((k) => [k, next[k]])));
      if (Object.keys(changed).length) recordVersion(org.id, version("permissions", id, "update", changed));
      return oneAnswer(req, permissionResource(saved, next, baseUrl(req)), rr);
    });
  });

  // ---- api credentials ----
  listRoute("/api_credentials", "api_credentials", allOf("api_credentials"));
  app.get("/api_credentials/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "api_credentials", (req.params as { id: string }).id).resource)));
  relatedRoutes("api_credentials", ["organization", "role"]);

  function credentialProblems(attributes: Record<string, unknown>, creating: boolean): ApiErrorItem[] {
    const problems = baseProblems(attributes);
    if (creating || attributes.name !== undefined) {
      if (typeof attributes.name !== "string" || attributes.name.trim() === "") problems.push(invalid("name", "can't be blank", "blank"));
    }
    if (creating && (typeof attributes.kind !== "string" || !/^[a-z_]+$/.test(attributes.kind))) {
      problems.push(attributes.kind === undefined || attributes.kind === "" ? invalid("kind", "can't be blank", "blank") : invalid("kind", "is invalid", "invalid"));
    }
    if (attributes.redirect_uri !== undefined && attributes.redirect_uri !== null && typeof attributes.redirect_uri !== "string") problems.push(invalid("redirect_uri", "must be a string", "invalid"));
    const e = attributes.expires_in;
    if (e !== undefined && e !== null && (typeof e !== "number" || !Number.isInteger(e) || e < EXPIRES_IN.min || e > EXPIRES_IN.max)) {
      problems.push(invalid("expires_in", `must be an integer from ${EXPIRES_IN.min} to ${EXPIRES_IN.max}`, "inclusion"));
    }
    if (creating && attributes.mode !== undefined && attributes.mode !== null && attributes.mode !== "test" && attributes.mode !== "live") problems.push(invalid("mode", "is not included in the list (test, live)", "inclusion"));
    if (creating && attributes.custom !== undefined && attributes.custom !== null && typeof attributes.custom !== "boolean") problems.push(invalid("custom", "must be true or false", "invalid"));
    return problems;
  }
  /** A credential's role: one of its organization's roles (422 otherwise). */
  function roleIn(org: OrgRow, roleId: string, problems: ApiErrorItem[]): void {
    if (!orgDocument(org).roles.some((r) => r.id === roleId)) problems.push(invalid("role", `must be one of the roles of organization ${org.id}`, "invalid", "relationships"));
  }

  app.post("/api_credentials", async (req, reply) => {
    const { rr, attributes, relationships } = createRequest(req, "api_credentials", { attributes: ["name", "kind", "redirect_uri", "expires_in", "mode", "custom", ...BASE_WRITABLE], relationships: ["organization", "role"] });
    const orgId = relatedId(relationships, "organization", "organizations");
    const roleId = relatedId(relationships, "role", "roles");
    const created = store.tx(() => {
      const problems = credentialProblems(attributes, true);
      if (!orgId) throw unprocessable([...problems, invalid("organization", "must exist", "blank", "relationships")]);
      const org = visibleOrg(req, orgId);
      if (roleId) roleIn(org, roleId, problems);
      if (problems.length) throw unprocessable(problems);
      const t = now();
      const kind = String(attributes.kind);
      const c: ApiCredentialRecord = {
        id: newClId(),
        name: String(attributes.name).trim(),
        kind,
        // Sales channels are public clients (the vendor's "API credentials" page); the others confidential.
        confidential: kind !== "sales_channel",
        redirect_uri: (attributes.redirect_uri as string | null | undefined) ?? null,
        client_id: secret(32),
        client_secret: secret(32),
        scopes: "market:all",
        expires_in: (attributes.expires_in as number | null | undefined) ?? (kind === "sales_channel" ? 14400 : 7200),
        mode: (attributes.mode as "test" | "live" | null | undefined) ?? "test",
        custom: (attributes.custom as boolean | null | undefined) ?? false,
        role_id: roleId ?? null,
        created_at: t,
        updated_at: t,
        ...baseValues(attributes),
      };
      const doc = orgDocument(org);
      const saved = saveDoc(org, { ...doc, api_credentials: [...(doc.api_credentials ?? []), c] });
      return oneAnswer(req, apiCredentialResource(saved, c, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.patch("/api_credentials/:id", async (req) => {
    const { id, rr, attributes, relationships } = updateRequest(req, "api_credentials", { attributes: ["name", "redirect_uri", "expires_in", ...BASE_WRITABLE], relationships: ["role"] });
    const roleId = relatedId(relationships, "role", "roles");
    return store.tx(() => {
      const { org } = locate(req, "api_credentials", id);
      const doc = orgDocument(org);
      const c = (doc.api_credentials ?? []).find((x) => x.id === id)!;
      const problems = credentialProblems(attributes, false);
      if (roleId) roleIn(org, roleId, problems);
      if (problems.length) throw unprocessable(problems);
      const next: ApiCredentialRecord = {
        ...c,
        ...(typeof attributes.name === "string" ? { name: attributes.name.trim() } : {}),
        ...(attributes.redirect_uri !== undefined ? { redirect_uri: attributes.redirect_uri as string | null } : {}),
        ...(typeof attributes.expires_in === "number" ? { expires_in: attributes.expires_in } : {}),
        ...(roleId !== undefined ? { role_id: roleId } : {}),
        ...baseValues(attributes),
        updated_at: now(),
      };
      const saved = saveDoc(org, { ...doc, api_credentials: (doc.api_credentials ?? []).map((x) => (x.id === id ? next : x)) });
      return oneAnswer(req, apiCredentialResource(saved, next, baseUrl(req)), rr);
    });
  });

  app.delete("/api_credentials/:id", async (req, reply) => {
    const { id } = req.params as { id: string };
    store.tx(() => {
      const { org } = locate(req, "api_credentials", id);
      const doc = orgDocument(org);
      saveDoc(org, { ...doc, api_credentials: (doc.api_credentials ?? []).filter((x) => x.id !== id) });
    });
    return reply.code(204).send();
  });
}
