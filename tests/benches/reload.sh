#!/usr/bin/env bash
# Bank reload timing (issue 14): starts the shell on a copy of the shipped bank, sends
# SIGHUP N times, then adds one question by editing a file, and prints how long each
# reload took from the trigger's log line to "bank reloaded" (the 300 ms settle time
# included). Model on when index/model/all-MiniLM-L6-v2 is installed.
#   tests/benches/reload.sh [BINARY] [N]
set -euo pipefail
cd "$(dirname "$0")/../.."
bin=${1:-target/debug/interview-bot}
n=${2:-5}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r data/bank "$work/bank"
# Vectors cached once, as in production (index/ persists between starts).
INTERVIEW_BOT__BANK__DIR="$work/bank" INTERVIEW_BOT__INDEX__DIR="$work/index" "$bin" index >/dev/null
sleep $((n * 3 + 15)) | INTERVIEW_BOT__BANK__DIR="$work/bank" INTERVIEW_BOT__INDEX__DIR="$work/index" \
  INTERVIEW_BOT__DATABASE__URL="sqlite://$work/bot.db" RUST_LOG=info \
  "$bin" shell --json >/dev/null 2>"$work/log" &
pid=$!  # the last command of the pipeline: the bot
for _ in $(seq 1 100); do grep -q "migrated to version" "$work/log" && break; sleep 0.2; done
for _ in $(seq 1 "$n"); do kill -HUP "$pid"; sleep 2; done
printf '\n[[question]]\nid = "api-900"\ntopic = "api"\nquestion = "What is a zebracorn endpoint?"\nanswer = "A made-up endpoint."\n' >>"$work/bank/api.toml"
sleep 3
kill -TERM "$pid" 2>/dev/null || true
wait 2>/dev/null || true
python3 - "$work/log" <<'PY'
import re, sys
from datetime import datetime
def at(line):
    return datetime.fromisoformat(line.split()[0].rstrip("Z")[:26])
start = None
for line in open(sys.argv[1]):
    if "SIGHUP: reloading" in line or "changed on disk" in line:
        start, why = at(line), ("SIGHUP" if "SIGHUP" in line else "edit")
    elif "bank reloaded" in line and start:
        print(f"{why}: {(at(line) - start).total_seconds() * 1000:.0f} ms ({line.split('bank reloaded: ')[1].strip()})")
        start = None
    elif "semantic matching is off" in line:
        print("model: off (" + line.split("off, ")[-1].strip() + ")")
PY
