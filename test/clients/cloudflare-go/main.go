// Command cloudflare-go calls every organizations method of Cloudflare's official Go SDK
// (github.com/cloudflare/cloudflare-go/v7 v7.9.0) against a Cloudflare API at the given base URL (the
// orgform emulator in the test suite) and checks every answer the way the SDK types it: each field
// the SDK marks `api:"required"` is present (its JSON metadata is not missing; not null unless
// `nullable`; never invalid for its Go type), and each enum holds a value the SDK knows (IsKnown).
// It also checks what the public API refuses: a member `roles` field and a member update.
//
// Usage: cloudflare-go <base-url> (or CF_BASE_URL); CF_API_TOKEN; CF_ACCOUNTS_ORG: an organization
// the caller seeded with accounts and usage. Prints one line per call, "ok" or "FAIL"; exits 1 on a failure.
package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"reflect"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v7"
	"github.com/cloudflare/cloudflare-go/v7/accounts"
	"github.com/cloudflare/cloudflare-go/v7/option"
	"github.com/cloudflare/cloudflare-go/v7/organizations"
)

var failures int

func report(call string, problems []string, err error) {
	if err != nil {
		problems = append(problems, "error: "+err.Error())
	}
	if len(problems) == 0 {
		fmt.Printf("ok   %s\n", call)
		return
	}
	failures++
	fmt.Printf("FAIL %s\n", call)
	for _, p := range problems {
		fmt.Printf("       %s\n", p)
	}
}

type jsonField interface {
	IsMissing() bool
	IsNull() bool
	IsInvalid() bool
}

type known interface{ IsKnown() bool }

// check walks a value the SDK decoded: for every struct, each field tagged api:"required" must be in
// the answer (per the struct's JSON metadata), and every enum value must be one the SDK knows.
func check(v reflect.Value, path string) []string {
	var out []string
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return check(v.Elem(), path)
	case reflect.Slice, reflect.Array:
		for i := 0; i < v.Len(); i++ {
			out = append(out, check(v.Index(i), fmt.Sprintf("%s[%d]", path, i))...)
		}
		return out
	case reflect.Struct:
	default:
		return checkEnum(v, path)
	}
	if v.Type() == reflect.TypeOf(time.Time{}) {
		return nil
	}
	meta := v.FieldByName("JSON")
	for i := 0; i < v.NumField(); i++ {
		f := v.Type().Field(i)
		if !f.IsExported() || f.Name == "JSON" {
			continue
		}
		name := strings.Split(f.Tag.Get("json"), ",")[0]
		at := path + "." + name
		api := f.Tag.Get("api")
		if meta.IsValid() {
			if mf := meta.FieldByName(f.Name); mf.IsValid() {
				if jf, ok := mf.Interface().(jsonField); ok {
					switch {
					case jf.IsMissing():
						if strings.Contains(api, "required") {
							out = append(out, at+": required by the SDK, missing from the answer")
						}
						continue
					case jf.IsInvalid():
						out = append(out, at+": not a valid "+f.Type.String())
						continue
					case jf.IsNull():
						if strings.Contains(api, "required") && !strings.Contains(api, "nullable") {
							out = append(out, at+": required by the SDK, null in the answer")
						}
						continue
					}
				}
			}
		}
		out = append(out, check(v.Field(i), at)...)
	}
	return out
}

func checkEnum(v reflect.Value, path string) []string {
	if !v.CanInterface() {
		return nil
	}
	if k, ok := v.Interface().(known); ok && v.Type().PkgPath() != "" && !k.IsKnown() {
		return []string{fmt.Sprintf("%s: %v is not a value the SDK knows (%s)", path, v.Interface(), v.Type().Name())}
	}
	return nil
}

func shape(x any) []string { return check(reflect.ValueOf(x), "result") }

// refused: the call must fail with this HTTP status in Cloudflare's envelope.
func refused(err error, status int) []string {
	var apiErr *cloudflare.Error
	if err == nil {
		return []string{fmt.Sprintf("accepted; the public API refuses it (%d)", status)}
	}
	if !errors.As(err, &apiErr) {
		return []string{"not an API error: " + err.Error()}
	}
	if apiErr.StatusCode != status {
		return []string{fmt.Sprintf("status %d, expected %d: %s", apiErr.StatusCode, status, err)}
	}
	if !strings.Contains(apiErr.JSON.RawJSON(), `"success":false`) {
		return []string{"not Cloudflare's envelope: " + apiErr.JSON.RawJSON()}
	}
	return nil
}

func expect(cond bool, what string) []string {
	if cond {
		return nil
	}
	return []string{what}
}

func main() {
	base := os.Getenv("CF_BASE_URL")
	if len(os.Args) > 1 {
		base = os.Args[1]
	}
	token := os.Getenv("CF_API_TOKEN")
	accountsOrg := os.Getenv("CF_ACCOUNTS_ORG")
	if base == "" || token == "" || accountsOrg == "" {
		fmt.Fprintln(os.Stderr, "usage: cloudflare-go <base-url>; CF_API_TOKEN and CF_ACCOUNTS_ORG must be set")
		os.Exit(2)
	}
	ctx := context.Background()
	client := cloudflare.NewClient(option.WithBaseURL(base), option.WithAPIToken(token), option.WithMaxRetries(0))
	orgs := client.Organizations
	suffix := fmt.Sprintf("%d", time.Now().UnixNano())

	// ---- organizations ----
	root, err := orgs.New(ctx, organizations.OrganizationNewParams{Organization: organizations.OrganizationParam{Name: cloudflare.F("Go Root " + suffix)}})
	report("Organizations.New (root)", shapeOr(root, err), err)
	if err != nil {
		os.Exit(1)
	}
	profile := accounts.AccountProfileParam{
		BusinessAddress: cloudflare.F("1 Go Way"), BusinessEmail: cloudflare.F("go@example.test"), BusinessName: cloudflare.F("Go Ltd"),
		BusinessPhone: cloudflare.F("+1 555 0100"), ExternalMetadata: cloudflare.F("go-sdk"),
	}
	child, err := orgs.New(ctx, organizations.OrganizationNewParams{Organization: organizations.OrganizationParam{
		Name: cloudflare.F("Go Child " + suffix), Parent: cloudflare.F(organizations.OrganizationParentParam{ID: cloudflare.F(root.ID)}), Profile: cloudflare.F(profile),
	}})
	report("Organizations.New (child, with parent and profile)", append(shapeOr(child, err), expectIf(err == nil, func() []string {
		return append(expect(child.Parent.ID == root.ID, "parent.id is not the root"), expect(len(child.Meta.HierarchyTags) == 2 && child.Meta.HierarchyTags[0] == root.ID, "meta.hierarchy_tags is not [root, child]")...)
	})...), err)
	if err != nil {
		os.Exit(1)
	}
	got, err := orgs.Get(ctx, child.ID)
	report("Organizations.Get", append(shapeOr(got, err), expectIf(err == nil, func() []string {
		return expect(got.Meta.TenantFlags.SubOrgCreation != "", "meta.tenant_flags.sub_org_creation is empty")
	})...), err)
	renamed, err := orgs.Update(ctx, child.ID, organizations.OrganizationUpdateParams{Organization: organizations.OrganizationParam{Name: cloudflare.F("Go Child renamed " + suffix)}})
	report("Organizations.Update (name only: parent and profile kept)", append(shapeOr(renamed, err), expectIf(err == nil, func() []string {
		return append(expect(renamed.Parent.ID == root.ID, "the parent changed"), expect(renamed.Profile.BusinessName == "Go Ltd", "the profile changed")...)
	})...), err)
	page, err := orgs.List(ctx, organizations.OrganizationListParams{
		ID:   cloudflare.F([]string{root.ID, child.ID}),
		Name: cloudflare.F(organizations.OrganizationListParamsName{StartsWith: cloudflare.F("go ")}),
	})
	report("Organizations.List (id repeated, name.startsWith)", append(shapeOr(page, err), expectIf(err == nil, func() []string {
		return expect(len(page.Result) == 2, fmt.Sprintf("%d organizations, expected 2", len(page.Result)))
	})...), err)
	var roots []string
	// The SDK's organization list is a SinglePage: ListAutoPaging never follows next_page_token, so it
	// reads the first page only (page_size 50 here, the emulator's maximum).
	iter := orgs.ListAutoPaging(ctx, organizations.OrganizationListParams{Parent: cloudflare.F(organizations.OrganizationListParamsParent{ID: cloudflare.F(organizations.OrganizationListParamsParentIDNull)}), PageSize: cloudflare.F(int64(50))})
	var problems []string
	for iter.Next() {
		roots = append(roots, iter.Current().ID)
		problems = append(problems, shape(iter.Current())...)
	}
	report("Organizations.ListAutoPaging (parent.id=null)", append(problems, expect(contains(roots, root.ID) && !contains(roots, child.ID), "the roots are not listed")...), iter.Err())

	// ---- profile ----
	err = orgs.OrganizationProfile.Update(ctx, root.ID, organizations.OrganizationProfileUpdateParams{AccountProfile: profile})
	report("OrganizationProfile.Update", nil, err)
	prof, err := orgs.OrganizationProfile.Get(ctx, root.ID)
	report("OrganizationProfile.Get", append(shapeOr(prof, err), expectIf(err == nil, func() []string { return expect(prof.BusinessName == "Go Ltd", "not the profile sent") })...), err)

	// ---- members ----
	ada, err := orgs.Members.New(ctx, child.ID, organizations.MemberNewParams{Member: cloudflare.F(organizations.MemberNewParamsMember{
		User: cloudflare.F(organizations.MemberNewParamsMemberUser{Email: cloudflare.F("ada@go.test")}),
	})})
	report("Members.New (no status: active)", append(shapeOr(ada, err), expectIf(err == nil, func() []string {
		return expect(ada.Status == organizations.OrganizationMemberStatusActive, "status "+string(ada.Status)+", expected active")
	})...), err)
	bob, err := orgs.Members.New(ctx, child.ID, organizations.MemberNewParams{Member: cloudflare.F(organizations.MemberNewParamsMember{
		User: cloudflare.F(organizations.MemberNewParamsMemberUser{Email: cloudflare.F("bob@other.test")}), Status: cloudflare.F(organizations.MemberNewParamsMemberStatusCanceled),
	})})
	report("Members.New (status canceled)", shapeOr(bob, err), err)
	members, err := orgs.Members.List(ctx, child.ID, organizations.MemberListParams{
		Status: cloudflare.F([]organizations.MemberListParamsStatus{organizations.MemberListParamsStatusActive, organizations.MemberListParamsStatusPending}),
		User:   cloudflare.F(organizations.MemberListParamsUser{Email: cloudflare.F("go.test")}),
	})
	report("Members.List (status repeated, user.email ends with)", append(shapeOr(members, err), expectIf(err == nil, func() []string {
		return expect(len(members.Result) == 1 && members.Result[0].User.Email == "ada@go.test", "not exactly ada")
	})...), err)
	miter := orgs.Members.ListAutoPaging(ctx, child.ID, organizations.MemberListParams{PageSize: cloudflare.F(int64(10))})
	problems, count := nil, 0
	for miter.Next() {
		count++
		problems = append(problems, shape(miter.Current())...)
	}
	report("Members.ListAutoPaging", append(problems, expect(count == 2, fmt.Sprintf("%d members, expected 2", count))...), miter.Err())
	if ada != nil {
		one, err := orgs.Members.Get(ctx, child.ID, ada.ID)
		report("Members.Get", shapeOr(one, err), err)
	}
	_, err = orgs.Members.New(ctx, child.ID, organizations.MemberNewParams{Member: cloudflare.F(organizations.MemberNewParamsMember{
		User: cloudflare.F(organizations.MemberNewParamsMemberUser{Email: cloudflare.F("eve@go.test")}),
	})}, option.WithJSONSet("member.roles", []string{"Administrator"}))
	report("Members.New with a roles field is refused (400)", refused(err, http.StatusBadRequest), nil)
	if ada != nil {
		var res map[string]any
		err = client.Put(ctx, fmt.Sprintf("organizations/%s/members/%s", child.ID, ada.ID), map[string]any{"member": map[string]any{"status": "canceled"}}, &res)
		report("a member update (PUT) is refused (405)", refused(err, http.StatusMethodNotAllowed), nil)
		err = client.Patch(ctx, fmt.Sprintf("organizations/%s/members/%s", child.ID, ada.ID), map[string]any{"status": "canceled"}, &res)
		report("a member update (PATCH) is refused (405)", refused(err, http.StatusMethodNotAllowed), nil)
		var roles map[string]any
		err = client.Get(ctx, fmt.Sprintf("organizations/%s/roles", child.ID), nil, &roles)
		report("organizations/{id}/roles does not exist (404)", refused(err, http.StatusNotFound), nil)
	}
	cont, err := orgs.List(ctx, organizations.OrganizationListParams{Containing: cloudflare.F(organizations.OrganizationListParamsContaining{User: cloudflare.F("ada@go.test")})})
	report("Organizations.List (containing.user)", append(shapeOr(cont, err), expectIf(err == nil, func() []string {
		return expect(len(cont.Result) == 2, fmt.Sprintf("%d organizations contain ada, expected 2 (child and root)", len(cont.Result)))
	})...), err)
	for _, m := range []*organizations.OrganizationMember{ada, bob} {
		if m != nil {
			err = orgs.Members.Delete(ctx, child.ID, m.ID)
			report("Members.Delete", nil, err)
		}
	}

	// ---- accounts and billable usage (of the organization the caller seeded) ----
	accs, err := orgs.OrganizationAccounts.Get(ctx, accountsOrg, organizations.OrganizationAccountGetParams{
		OrderBy: cloudflare.F(organizations.OrganizationAccountGetParamsOrderByAccountName), Direction: cloudflare.F(organizations.OrganizationAccountGetParamsDirectionAsc),
	})
	report("OrganizationAccounts.Get", append(shapeOr(accs, err), expectIf(err == nil, func() []string { return expect(len(*accs) > 0, "no accounts") })...), err)
	today := time.Now().UTC()
	from := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	usage, err := orgs.Billing.Usage.Get(ctx, accountsOrg, organizations.BillingUsageGetParams{From: cloudflare.F(from), To: cloudflare.F(today), Metric: cloudflare.F("workers_standard_requests")})
	report("Billing.Usage.Get", append(shapeOr(usage, err), expectIf(err == nil, func() []string { return expect(len(*usage) > 0, "no usage records") })...), err)

	// ---- audit log ----
	since, before := today.AddDate(0, 0, -1), today.AddDate(0, 0, 2)
	audit, err := orgs.Logs.Audit.List(ctx, child.ID, organizations.LogAuditListParams{Since: cloudflare.F(since), Before: cloudflare.F(before)})
	report("Logs.Audit.List", append(shapeOr(audit, err), expectIf(err == nil, func() []string {
		return expect(len(audit.Result) >= 5, fmt.Sprintf("%d entries, expected every write (5 or more)", len(audit.Result)))
	})...), err)
	aiter := orgs.Logs.Audit.ListAutoPaging(ctx, child.ID, organizations.LogAuditListParams{
		Since: cloudflare.F(since), Before: cloudflare.F(before), Limit: cloudflare.F(2.0),
		ActionType: cloudflare.F(organizations.LogAuditListParamsActionType{Not: cloudflare.F([]organizations.LogAuditListParamsActionTypeNot{organizations.LogAuditListParamsActionTypeNotDelete})}),
	})
	problems, count = nil, 0
	var first *organizations.LogAuditListResponse
	for aiter.Next() {
		count++
		e := aiter.Current()
		if first == nil {
			first = &e
		}
		problems = append(problems, shape(e)...)
		problems = append(problems, expect(e.Action.Type != "delete", "a delete passed action_type.not=delete")...)
	}
	report("Logs.Audit.ListAutoPaging (limit 2, action_type.not)", append(problems, expect(count >= 3, fmt.Sprintf("%d entries", count))...), aiter.Err())
	if first != nil {
		hist, err := orgs.Logs.Audit.History(ctx, child.ID, first.ID, organizations.LogAuditHistoryParams{ActionTime: cloudflare.F(first.Action.Time), Since: cloudflare.F(since), Before: cloudflare.F(before)})
		report("Logs.Audit.History", append(shapeOr(hist, err), expectIf(err == nil, func() []string { return expect(len(*hist) > 0, "no history") })...), err)
	}

	// ---- deletes ----
	del, err := orgs.Delete(ctx, child.ID)
	report("Organizations.Delete (child)", shapeOr(del, err), err)
	del, err = orgs.Delete(ctx, root.ID)
	report("Organizations.Delete (root)", shapeOr(del, err), err)
	_, err = orgs.Get(ctx, root.ID)
	report("Organizations.Get of a deleted organization is a 404", refused(err, http.StatusNotFound), nil)

	if failures > 0 {
		fmt.Printf("%d failed\n", failures)
		os.Exit(1)
	}
	fmt.Println("all passed")
}

func shapeOr(x any, err error) []string {
	if err != nil {
		return nil
	}
	return shape(x)
}

func expectIf(cond bool, f func() []string) []string {
	if !cond {
		return nil
	}
	return f()
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
