source ../lib.sh
want "$(server_field new name 2>/dev/null || true)" "$BENCH_PREFIX-new" "the renamed server's name"
