source ../lib.sh
os volume create --size 1 "$BENCH_PREFIX-data" >/dev/null &
boot db &
wait
for i in $(seq 30); do
	[[ "$(os volume show "$BENCH_PREFIX-data" -f value -c status)" == available ]] && break
	sleep 1
done
