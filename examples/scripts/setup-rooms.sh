#!/usr/bin/env bash
# Idempotent set-up: make sure each room exists, owned by one stable username so a later
# tear-down (`mpcrp-bot room destroy ROOM -u "$OWNER" --if-exists`) is allowed to remove it.
#   OWNER=ops examples/scripts/setup-rooms.sh alerts deploys lobby
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: setup-rooms.sh ROOM..." >&2; exit 2; }
for room in "$@"; do
  ${MPCRP_BOT:-mpcrp-bot} room create "$room" -u "${OWNER:-ops}" --if-not-exists
done
