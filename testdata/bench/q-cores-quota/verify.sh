source ../lib.sh
