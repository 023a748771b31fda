# A server to stop, and a bystander the task must leave alone.
source ../lib.sh
boot web &
boot bystander &
wait
