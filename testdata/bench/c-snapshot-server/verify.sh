source ../lib.sh
if ! os image show "$BENCH_PREFIX-app-snap" >/dev/null 2>&1; then
	echo "FAIL: no image ${BENCH_PREFIX}-app-snap"
	exit 1
fi
