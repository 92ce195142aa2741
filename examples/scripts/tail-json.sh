#!/usr/bin/env bash
# Print the next COUNT messages of a room as "time sender: text", via `listen -o json` and jq.
#   examples/scripts/tail-json.sh alerts 10
set -euo pipefail
room=${1:?usage: tail-json.sh ROOM [COUNT]}
count=${2:-10}
command -v jq >/dev/null || { echo "tail-json.sh needs jq (apt-get install jq)" >&2; exit 2; }
${MPCRP_BOT:-mpcrp-bot} listen -r "$room" -C "$count" -o json |
  jq --unbuffered -r '"\(.time) \(.sender // "?"): \(.text)"'
