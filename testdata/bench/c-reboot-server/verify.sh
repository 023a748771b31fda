# Nova records the reboot as an instance action when the API accepts it,
# so it is there as soon as ostui's step returns.
source ../lib.sh
events=$(must os server event list "$BENCH_PREFIX-web" -f value -c Action)
if ! grep -qx reboot <<<"$events"; then
	echo "FAIL: ${BENCH_PREFIX}-web has no reboot event; its events: $(echo $events)"
	exit 1
fi
want "$(server_field web status)" ACTIVE "${BENCH_PREFIX}-web's status"
