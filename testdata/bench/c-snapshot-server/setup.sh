source ../lib.sh
boot app
