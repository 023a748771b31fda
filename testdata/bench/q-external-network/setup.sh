# Nothing to create: the devcloud's "public" network is external.
source ../lib.sh
