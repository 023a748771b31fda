source ../lib.sh
boot web
os server stop "$BENCH_PREFIX-web"
wait_status web SHUTOFF
