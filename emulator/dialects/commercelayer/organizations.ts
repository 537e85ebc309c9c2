import type { FastifyInstance } from "fastify";
import type { JsonObject } from "../../store";
import { send, onlyAttributes, onlyRelationships, createRequest, updateRequest } from "./common";
import { ClError, invalid, requestData, unprocessable } from "./jsonapi";
import type { Kit } from "./kit";
import { attributeProblems, BACKEND, basePermissions, CREATABLE, EMAIL, memberUniqueKey, membershipDocument, newClId, newOrgAttributes, orgDocument, orgResource, slugOf, standardRoles, UPDATABLE, type OrgDocument } from "./wire";

/** Organizations: create, list, retrieve, update (no delete: 405), `transfer_ownership`, and their lists. */
export function registerOrganizations(app: FastifyInstance, kit: Kit): void {
  const { store, baseUrl, now, visible, visibleOrg, resourcesOf, oneAnswer, listRoute, allOf, version, recordVersion, nameTaken } = kit;
  // ---- organizations ----
  listRoute("/organizations", "organizations", allOf("organizations"));

  app.post("/organizations", async (req, reply) => {
    // A create answers as a retrieve does, `include` and `fields` too (the SDK's create takes
    // QueryParamsRetrieve): checked before anything is written.
    const { rr, attributes } = createRequest(req, "organizations", { attributes: CREATABLE, relationships: [] });
    const problems = attributeProblems(attributes, true);
    if (problems.length) throw unprocessable(problems);
    if (visible(req) !== null) throw ClError.of(403, "FORBIDDEN", "Forbidden", "a token scoped to an organization cannot create organizations");
    const t = now();
    const name = attributes.name as string;
    const { name: _name, ...rest } = attributes;
    const roles = standardRoles(t);
    const doc: OrgDocument = {
      attributes: { ...newOrgAttributes(t), ...(rest as JsonObject), region: (attributes.region as string | null | undefined) ?? newOrgAttributes(t).region, metadata: (attributes.metadata as JsonObject | null | undefined) ?? {} },
      roles,
      permissions: roles.flatMap((r) => basePermissions(r, [], t)),
      api_credentials: [],
      versions: [],
    };
    const created = store.tx(() => {
      if (store.findOrgByUniqueKey(BACKEND, slugOf(name))) throw nameTaken();
      const row = store.insertOrg({ backend: BACKEND, id: newClId(), parentId: null, name, uniqueKey: slugOf(name), document: doc as never, createTime: t });
      return oneAnswer(req, orgResource(row, baseUrl(req)), rr);
    });
    return send(reply, 201, created);
  });

  app.get("/organizations/:id", async (req) => {
    const { id } = req.params as { id: string };
    return store.read(() => oneAnswer(req, orgResource(visibleOrg(req, id), baseUrl(req))));
  });

  app.patch("/organizations/:id", async (req) => {
    const { id, rr, attributes } = updateRequest(req, "organizations", { attributes: UPDATABLE, relationships: [] });
    const problems = attributeProblems(attributes, false);
    if (problems.length) throw unprocessable(problems);
    return store.tx(() => {
      const row = visibleOrg(req, id);
      const doc = orgDocument(row);
      const name = typeof attributes.name === "string" ? attributes.name : row.name;
      const clash = store.findOrgByUniqueKey(BACKEND, slugOf(name));
      if (clash && clash.id !== id) throw nameTaken();
      const { name: _name, ...rest } = attributes;
      const t = now();
      // PATCH merges attribute by attribute; an object attribute sent (metadata, config) replaces the old one.
      const next: OrgDocument = { ...doc, attributes: { ...doc.attributes, ...(rest as JsonObject), updated_at: t } };
      if (attributes.metadata === null) next.attributes.metadata = {};
      const updated = store.updateOrg(BACKEND, id, { parentId: null, name, uniqueKey: slugOf(name), document: next as never, updateTime: t });
      return oneAnswer(req, orgResource(updated, baseUrl(req)), rr);
    });
  });

  app.delete("/organizations/:id", async () => {
    throw ClError.of(405, "METHOD_NOT_ALLOWED", "Method not allowed", "organizations cannot be deleted through the provisioning API");
  });

  /**
   * The SDK's `transfer_ownership`: `PATCH /organizations/{id}/transfer_ownership` with
   * `{data: {type: organizations, id, attributes: {new_owner_email}}}`, answered 204. The new owner
   * must be a member of the organization (our reading: ownership moves between members); the
   * previous owner stays a member.
   */
  app.patch("/organizations/:id/transfer_ownership", async (req, reply) => {
    const { id } = req.params as { id: string };
    const { attributes, relationships } = requestData(req, "organizations", id);
    onlyAttributes(attributes, ["new_owner_email"], "organizations");
    onlyRelationships(relationships, [], "organizations");
    const email = attributes.new_owner_email;
    if (typeof email !== "string" || email.trim() === "") throw unprocessable([invalid("new_owner_email", "can't be blank", "blank")]);
    if (!EMAIL.test(email)) throw unprocessable([invalid("new_owner_email", "is invalid", "invalid")]);
    store.tx(() => {
      const org = visibleOrg(req, id);
      const heir = store.findMemberByUniqueKey(BACKEND, memberUniqueKey(org.id, email));
      if (!heir) throw unprocessable([invalid("new_owner_email", "must be the email of a member of the organization", "invalid")]);
      const t = now();
      for (const m of store.membersOf(BACKEND, org.id)) {
        const doc = membershipDocument(m);
        const owner = m.id === heir.id;
        if (doc.owner === owner) continue;
        store.updateMember(BACKEND, m.id, { email: m.email, uniqueKey: m.uniqueKey, document: { ...doc, owner } as never, updateTime: t });
        recordVersion(org.id, version("memberships", m.id, "update", { owner: [doc.owner, owner] as never }));
      }
    });
    return reply.code(204).send();
  });

  listRoute("/organizations/:id/memberships", "memberships", (req) => resourcesOf("memberships", visibleOrg(req, (req.params as { id: string }).id), baseUrl(req)));
  listRoute("/organizations/:id/roles", "roles", (req) => resourcesOf("roles", visibleOrg(req, (req.params as { id: string }).id), baseUrl(req)));
  listRoute("/organizations/:id/permissions", "permissions", (req) => resourcesOf("permissions", visibleOrg(req, (req.params as { id: string }).id), baseUrl(req)));
  listRoute("/organizations/:id/api_credentials", "api_credentials", (req) => resourcesOf("api_credentials", visibleOrg(req, (req.params as { id: string }).id), baseUrl(req)));
}
