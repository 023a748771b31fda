source ../lib.sh
boot db
