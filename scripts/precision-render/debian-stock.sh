#!/bin/bash
# debian-stock: Debian's postinst installs main.cf.debian as main.cf and master.cf.dist as master.cf.
# $1 = ../shared/corpus (the files come from there), $3 = output directory.
set -euo pipefail
cp "$1/debian-postfix-3.7/main.cf.debian" "$3/main.cf"
cp "$1/debian-postfix-3.7/master.cf.dist" "$3/master.cf"
