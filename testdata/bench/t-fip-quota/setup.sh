source ../lib.sh
boot web
ip=$(os floating ip create public --description "$BENCH_PREFIX-web" -f value -c floating_ip_address)
os server add floating ip "$BENCH_PREFIX-web" "$ip"
