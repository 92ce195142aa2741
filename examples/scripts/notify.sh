#!/usr/bin/env bash
# Send one notification, e.g. from a CI job:
#   examples/scripts/notify.sh deploys "build $CI_PIPELINE_ID of $CI_COMMIT_SHORT_SHA passed"
# Exit status is mpcrp-bot's: 0 once the server has relayed the message (see docs/cli.md).
# Environment: MPCRP_URL (server), MPCRP_USER (sender), MPCRP_BOT (how to run the CLI).
set -euo pipefail
room=${1:?usage: notify.sh ROOM MESSAGE...}
shift
[ $# -gt 0 ] || { echo "usage: notify.sh ROOM MESSAGE..." >&2; exit 2; }
# The room is created on first use; `--` keeps a message starting with '-' from being a flag.
${MPCRP_BOT:-mpcrp-bot} send --create -r "$room" -- "$@"
