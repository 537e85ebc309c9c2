import type { Migration } from "../../migrations";

/**
 * The Cloudflare dialect's own data migrations (append only). They rewrite the JSON documents this
 * dialect keeps in the core's generic rows, so a database written by an earlier emulator reads in
 * today's wire.
 */
export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: "cloudflare members on the public API: no roles; pending|accepted -> active, name",
    sql: `
      UPDATE members
         SET document = json_object(
               'status', CASE json_extract(document, '$.status')
                           WHEN 'active' THEN 'active' WHEN 'pending' THEN 'active' WHEN 'accepted' THEN 'active'
                           WHEN 'rejected' THEN 'rejected' WHEN 'canceled' THEN 'canceled' ELSE 'active' END,
               'user_id', json_extract(document, '$.user_id'),
               'name', coalesce(json_extract(document, '$.name'), ''))
       WHERE backend = 'cloudflare';
    `,
  },
  {
    version: 2,
    name: "cloudflare organizations: meta.flags (document 003) -> meta.tenant_flags (the SDKs)",
    sql: `
      UPDATE organizations
         SET document = json_remove(json_set(document, '$.meta.tenant_flags', json(json_extract(document, '$.meta.flags'))), '$.meta.flags')
       WHERE backend = 'cloudflare' AND json_extract(document, '$.meta.flags') IS NOT NULL;
    `,
  },
];
