source ../lib.sh
must os container show "$BENCH_PREFIX-assets" -f value -c container >/dev/null
