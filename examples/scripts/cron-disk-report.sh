#!/usr/bin/env bash
# Post a command's output as one message; meant for cron, e.g. every morning at 7:
#   0 7 * * *  MPCRP_URL=mpcrp://chat.example:8890 /opt/mpcrp/cron-disk-report.sh ops
# cron mails whatever reaches stderr, so a failure (exit status != 0) is never silent.
set -euo pipefail
room=${1:-ops}
# pipefail: if df fails, the script fails even though send succeeded.
{
  echo "disk report from $(hostname) at $(date -u +%Y-%m-%dT%H:%MZ)"
  df -h /
} | ${MPCRP_BOT:-mpcrp-bot} send --create --split -r "$room"
