import { parentKeyOf, type OrganizationDecl } from "./model";

/** Declarations with parents before children (config order otherwise), so a child's parent is handled first. */
export function parentsFirst(orgs: readonly OrganizationDecl[]): OrganizationDecl[] {
  const byKey = new Map(orgs.map((o) => [o.key, o]));
  const done = new Set<string>();
  const out: OrganizationDecl[] = [];
  const visit = (o: OrganizationDecl) => {
    if (done.has(o.key)) return;
    done.add(o.key);
    const key = parentKeyOf(o);
    const parent = key !== undefined ? byKey.get(key) : undefined;
    if (parent) visit(parent);
    out.push(o);
  };
  orgs.forEach(visit);
  return out;
}
