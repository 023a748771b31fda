# Nova records the reboot as an instance action.
source ../lib.sh
if ! os server event list "$BENCH_PREFIX-web" -f value -c Action | grep -qx reboot; then
	echo "FAIL: ${BENCH_PREFIX}-web has no reboot event"
	exit 1
fi
want "$(server_field web status)" ACTIVE "${BENCH_PREFIX}-web's status"
