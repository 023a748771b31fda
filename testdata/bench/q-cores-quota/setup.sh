# Nothing to create: the answer comes from the project's limits.
source ../lib.sh
