source ../lib.sh
os container create "$BENCH_PREFIX-logs" >/dev/null
tmp=$(mktemp -d)
for f in app.log db.log web.log; do
	echo "bench $f" >"$tmp/$f"
	(cd "$tmp" && os object create "$BENCH_PREFIX-logs" "$f" >/dev/null)
done
rm -r "$tmp"
