#!/bin/sh
# The image's entry point: `worker`, `api` or `migrate` (migrations + sample catalogue).
set -e
cd /app
case "${1:-api}" in
  worker) exec node --import tsx scripts/worker.ts ;;
  api) exec node --import tsx scripts/api.ts ;;
  migrate) exec node --import tsx scripts/migrate.ts ;;
  *) echo "usage: onewindow worker|api|migrate (got: $1)" >&2; exit 64 ;;
esac
