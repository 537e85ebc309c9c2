import type { FastifyInstance } from "fastify";
import type { Principal } from "../../types";
import { BASE_WRITABLE, onlyAttributes, onlyRelationships, baseProblems, baseValues } from "./common";
import { invalid, requestData, retrieveRequest, unprocessable, type Query } from "./jsonapi";
import type { Kit } from "./kit";
import { EMAIL, newClId, userResource, type UserRecord } from "./wire";

/** Versions of roles, memberships and permissions, and the `user` singleton (the token's user). */
export function registerUserAndVersions(app: FastifyInstance, kit: Kit): void {
  const { store, baseUrl, now, locate, oneAnswer, listRoute, allOf } = kit;
  // ---- versions ----
  listRoute("/versions", "versions", allOf("versions"));
  app.get("/versions/:id", async (req) => store.read(() => oneAnswer(req, locate(req, "versions", (req.params as { id: string }).id).resource)));

  // ---- the user (a singleton: the token's user) ----
  // One user per credential, kept in memory (the emulator's credentials are not people): what
  // `PATCH /user` changes lasts until the emulator stops.
  const users = new Map<string, UserRecord>();
  function userOf(principal: Principal): UserRecord {
    let u = users.get(principal.id);
    if (!u) {
      const t = now();
      const who = (principal.issued?.subject ?? principal.kind).toLowerCase().replace(/[^a-z0-9.-]+/g, "-");
      u = { id: newClId(), email: `${who}@users.emulator.test`, first_name: "Provisioning", last_name: "User", time_zone: "UTC", otp_required_for_login: false, created_at: t, updated_at: t };
      users.set(principal.id, u);
    }
    return u;
  }

  app.get("/user", async (req) => oneAnswer(req, userResource(userOf(req.principal!), baseUrl(req)), retrieveRequest(req.query as Query, "users", [])));

  app.patch("/user", async (req) => {
    const rr = retrieveRequest(req.query as Query, "users", []);
    const u = userOf(req.principal!);
    const { attributes, relationships } = requestData(req, "users", u.id);
    onlyAttributes(attributes, ["email", "first_name", "last_name", "time_zone", ...BASE_WRITABLE], "users");
    onlyRelationships(relationships, [], "users");
    const problems = baseProblems(attributes);
    if (attributes.email !== undefined && (typeof attributes.email !== "string" || !EMAIL.test(attributes.email))) problems.push(invalid("email", "is invalid", "invalid"));
    for (const k of ["first_name", "last_name"]) {
      if (attributes[k] !== undefined && (typeof attributes[k] !== "string" || (attributes[k] as string).trim() === "")) problems.push(invalid(k, "can't be blank", "blank"));
    }
    if (attributes.time_zone !== undefined && attributes.time_zone !== null && typeof attributes.time_zone !== "string") problems.push(invalid("time_zone", "must be a string", "invalid"));
    if (problems.length) throw unprocessable(problems);
    const next: UserRecord = { ...u, ...Object.fromEntries(["email", "first_name", "last_name", "time_zone"].filter((k) => attributes[k] !== undefined).map((k) => [k, attributes[k]])), ...baseValues(attributes), updated_at: now() };
    users.set(req.principal!.id, next);
    return oneAnswer(req, userResource(next, baseUrl(req)), rr);
  });
}
