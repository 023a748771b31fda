source ../lib.sh
boot old
