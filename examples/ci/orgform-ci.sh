#!/bin/sh
# orgform in any CI system: validate, plan (a Markdown pull-request comment), drift.
#
#   orgform-ci.sh pr          validate, plan, drift; drift is reported, not fatal (the change may fix it)
#   orgform-ci.sh scheduled   validate, drift; exits 2 on drift so the job fails
#
# Environment: PULUMI_STACK (the stack, for plan), ORGFORM_CONFIG (the desired state, default orgs),
# ORGFORM_REPORTS (where plan.md and drift.md go, default orgform-reports), ORGFORM (how to run
# orgform, default "npx --no-install orgform"); the backend's credentials and ORGFORM_ENDPOINT as
# for every orgform command; Pulumi's own settings (PULUMI_BACKEND_URL, PULUMI_CONFIG_PASSPHRASE
# or PULUMI_ACCESS_TOKEN) for plan.
# Exit codes: 0 fine, 1 an error (invalid config, API unreachable, bad credential), 2 drift (scheduled).
set -u
mode=${1:-pr}
config=${ORGFORM_CONFIG:-orgs}
reports=${ORGFORM_REPORTS:-orgform-reports}
orgform=${ORGFORM:-npx --no-install orgform}
mkdir -p "$reports"

$orgform validate "$config" || exit 1

if [ "$mode" = pr ]; then
  : "${PULUMI_STACK:?set PULUMI_STACK to the stack to plan}"
  $orgform plan --stack "$PULUMI_STACK" --format markdown --out "$reports/plan.md" || exit 1
  echo "orgform: plan written to $reports/plan.md"
fi

$orgform drift --config "$config" --format markdown --out "$reports/drift.md" --quiet
status=$?
case $status in
  0) echo "orgform: no drift" ;;
  2)
    echo "orgform: drift, see $reports/drift.md"
    [ "$mode" = scheduled ] && exit 2
    ;;
  *)
    echo "orgform: drift detection failed (exit $status): this is an error, not drift" >&2
    exit 1
    ;;
esac
exit 0
