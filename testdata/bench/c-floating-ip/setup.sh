source ../lib.sh
boot web
