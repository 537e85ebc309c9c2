import type { FastifyInstance } from "fastify";
import type { DialectContext } from "../../types";
import { CF, CfError, success } from "./envelope";
import { principalOf, visibleOrg } from "./organizations";
import { checkParams, pageInMemory, pageRequest, PAGE_PARAMS, single, type Query } from "./pagination";
import { accountToWire, BACKEND, orgDocument, type AccountInfo } from "./wire";

/**
 * The accounts of an organization and their billable usage, as the SDKs call them:
 *
 *   GET /organizations/{id}/accounts        cloudflare-go v7.9.0 OrganizationAccountService.Get:
 *       name.{contains,startsWith,endsWith}, account_pubname.{…} (matched against the account id,
 *       the only public name the emulator has), order_by=account_name, direction, page_size, page_token
 *   GET /organizations/{id}/billable/usage  both SDKs: from, to (YYYY-MM-DD, both or neither, at most
 *       31 days; neither: this month so far), metric. FOCUS v1.3 records, one per account, metric and day.
 *
 * Accounts exist only as a seed describes them (emulator/README.md); the API cannot create them.
 */

const NAME_FILTERS = ["name.contains", "name.startsWith", "name.endsWith", "account_pubname.contains", "account_pubname.startsWith", "account_pubname.endsWith"] as const;
const ACCOUNT_FILTERS = [...NAME_FILTERS, "order_by", "direction"] as const;

function matches(value: string, q: Query, prefix: string): boolean {
  const v = value.toLowerCase();
  const c = single(q, `${prefix}.contains`)?.toLowerCase();
  const s = single(q, `${prefix}.startsWith`)?.toLowerCase();
  const e = single(q, `${prefix}.endsWith`)?.toLowerCase();
  return (c === undefined || v.includes(c)) && (s === undefined || v.startsWith(s)) && (e === undefined || v.endsWith(e));
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const MS_PER_DAY = 86_400_000;

/** `from`/`to` as the SDKs describe them; the Go SDK formats them as dates (format:"date"). */
export function usageWindow(from: string | undefined, to: string | undefined, now: Date): { from: string; to: string } {
  if ((from === undefined) !== (to === undefined)) throw CfError.of(400, CF.invalid, "from and to: give both or neither");
  if (from === undefined || to === undefined) {
    const today = now.toISOString().slice(0, 10);
    return { from: `${today.slice(0, 8)}01`, to: today };
  }
  for (const [k, v] of [["from", from], ["to", to]] as const) {
    if (!DAY.test(v) || Number.isNaN(Date.parse(`${v}T00:00:00Z`))) throw CfError.of(400, CF.invalid, `${k}: must be a date (YYYY-MM-DD)`);
  }
  const days = (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / MS_PER_DAY;
  if (days < 0) throw CfError.of(400, CF.invalid, "from: must not be after to");
  if (days > 31) throw CfError.of(400, CF.invalid, "from, to: the maximum date range is 31 days");
  return { from, to };
}

/** One FOCUS v1.3 record, with every field the SDKs mark required; cost fields absent ("not yet populated"). */
function usageRecord(accountId: string, info: AccountInfo | undefined, u: NonNullable<AccountInfo["usage"]>[number]): Record<string, unknown> {
  const start = `${u.day}T00:00:00Z`;
  const end = new Date(Date.parse(start) + MS_PER_DAY).toISOString().replace(".000Z", "Z");
  return {
    BillingAccountId: accountId,
    BillingAccountName: info?.name ?? accountId,
    ChargeCategory: "Usage",
    ChargeDescription: `${u.metric_name} for ${u.day}`,
    ChargeFrequency: "Usage-Based",
    ChargePeriodEnd: end,
    ChargePeriodStart: start,
    ConsumedQuantity: u.quantity,
    ConsumedUnit: u.unit,
    HostProviderName: "Cloudflare",
    InvoiceIssuerName: "Cloudflare",
    ServiceProviderName: "Cloudflare",
    x_BillableMetricId: u.metric,
    x_BillableMetricName: u.metric_name,
    ...(u.product !== undefined ? { x_ProductFamilyName: u.product } : {}),
  };
}

export function registerAccounts(app: FastifyInstance, ctx: DialectContext): void {
  const { store } = ctx;

  app.get("/organizations/:organization_id/accounts", async (req) => {
    const { organization_id: orgId } = req.params as { organization_id: string };
    const q = req.query as Query;
    checkParams(q, [...ACCOUNT_FILTERS, ...PAGE_PARAMS]);
    const orderBy = single(q, "order_by");
    if (orderBy !== undefined && orderBy !== "account_name") throw CfError.of(400, CF.invalid, "order_by: must be account_name");
    const direction = single(q, "direction");
    if (direction !== undefined && direction !== "asc" && direction !== "desc") throw CfError.of(400, CF.invalid, "direction: must be asc or desc");
    const pageReq = pageRequest(q, `accounts:${orgId}`, ACCOUNT_FILTERS, principalOf(req));
    return store.read(() => {
      const row = visibleOrg(ctx, req, orgId, "/accounts");
      const doc = orgDocument(row);
      let accounts = (doc.accounts ?? []).map((id) => accountToWire(id, doc.account_info?.[id], row.createTime));
      accounts = accounts.filter((a) => matches(String(a.name ?? ""), q, "name") && matches(String(a.id), q, "account_pubname"));
      if (orderBy !== undefined) {
        accounts.sort((a, b) => String(a.name ?? "").localeCompare(String(b.name ?? "")));
        if (direction === "desc") accounts.reverse();
      }
      const { page, resultInfo } = pageInMemory(accounts.map((a, i) => ({ seq: i + 1, a })), pageReq);
      return success(page.map((p) => p.a), resultInfo);
    });
  });

  app.get("/organizations/:organization_id/billable/usage", async (req) => {
    const { organization_id: orgId } = req.params as { organization_id: string };
    const q = req.query as Query;
    checkParams(q, ["from", "to", "metric"]);
    const { from, to } = usageWindow(single(q, "from"), single(q, "to"), ctx.now());
    const metric = single(q, "metric");
    return store.read(() => {
      const doc = orgDocument(visibleOrg(ctx, req, orgId, "/billable/usage"));
      const out: Record<string, unknown>[] = [];
      for (const id of doc.accounts ?? []) {
        const info = doc.account_info?.[id];
        for (const u of info?.usage ?? []) {
          if (u.day < from || u.day > to || (metric !== undefined && u.metric !== metric)) continue;
          out.push(usageRecord(id, info, u));
        }
      }
      return success(out);
    });
  });
}
