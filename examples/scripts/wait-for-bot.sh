#!/usr/bin/env bash
# Block until a bot has joined its room, e.g. after starting it in the background:
#   mpcrp-bot run -c team.yaml & examples/scripts/wait-for-bot.sh lobby greeter 30s
# Exit status: 0 ready, 124 not within the timeout, others as in docs/cli.md.
set -euo pipefail
room=${1:?usage: wait-for-bot.sh ROOM BOT [TIMEOUT]}
bot=${2:?usage: wait-for-bot.sh ROOM BOT [TIMEOUT]}
timeout=${3:-30s}
${MPCRP_BOT:-mpcrp-bot} users -q -r "$room" --wait-for "$bot" --timeout "$timeout" >/dev/null
echo "$bot is in $room"
