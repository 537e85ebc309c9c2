import type { FastifyInstance } from "fastify";
import type { DialectContext } from "../../types";
import { registerAccess } from "./access";
import { checkAccept, MEDIA_TYPE } from "./jsonapi";
import { routeKit } from "./kit";
import { registerMemberships } from "./memberships";
import { registerOrganizations } from "./organizations";
import { registerUserAndVersions } from "./user";

/**
 * Routes under `/commercelayer/api` (the vendor's `https://provisioning.commercelayer.io/api`), every
 * route of @commercelayer/provisioning-sdk 2.10.2 touching organizations, memberships, roles,
 * permissions, api credentials, versions and the user (identity_providers aside):
 * - organizations: create, list, retrieve, update (no delete: 405), `transfer_ownership`, and their
 *   memberships, roles, permissions and api_credentials;
 * - memberships: create, list, retrieve, update, delete, `resend`, and their organization, role,
 *   application_memberships, membership_profile and versions;
 * - membership_profiles: create, list, retrieve, update, delete, and their organization and
 *   application_memberships; application_memberships: the same, and their api_credential,
 *   membership, membership_profile, organization and role;
 * - roles: create, list, retrieve, update (`_add_missing_base_permissions` too), and their
 *   organization, permissions, memberships, api_credentials and versions;
 * - permissions: create, list, retrieve, update, and their organization, role and versions;
 * - api_credentials: create, list, retrieve, update, delete, and their organization and role;
 * - versions: list, retrieve; `user`: retrieve, update (a singleton: the token's user).
 * Each handler does its reads and writes synchronously in one store transaction.
 */

export function registerRoutes(app: FastifyInstance, ctx: DialectContext): void {
  // Bodies are JSON:API documents, parsed by the core (`jsonMediaTypes`): JSON itself is refused
  // with 415, as the vendor does.
  app.addHook("preHandler", async (req) => checkAccept(req));
  // Every JSON answer of this API is a JSON:API document (the core's errors included).
  app.addHook("onSend", async (_req, reply, payload) => {
    if (String(reply.getHeader("content-type") ?? "").startsWith("application/json")) reply.header("content-type", MEDIA_TYPE);
    return payload;
  });
  const kit = routeKit(app, ctx);
  registerOrganizations(app, kit);
  registerAccess(app, kit);
  registerMemberships(app, kit);
  registerUserAndVersions(app, kit);
}
