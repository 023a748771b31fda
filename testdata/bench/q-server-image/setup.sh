source ../lib.sh
ud=$(mktemp)
trap 'rm -f "$ud"' EXIT
printf '#cloud-config\npassword: %s\n' "$BENCH_CANARY" >"$ud"
boot app --user-data "$ud" --property note=app-server
