#!/bin/sh
# Run once by the TimescaleDB image when its data volume is new: Parcours's roles, with the
# passwords from .env. `parcours db migrate` (the migrate service) then grants them their rights.
set -eu
psql -v ON_ERROR_STOP=1 --username postgres --dbname parcours \
  -v collect="$PARCOURS_COLLECT_DB_PASSWORD" -v worker="$PARCOURS_WORKER_DB_PASSWORD" \
  -v web="$PARCOURS_WEB_DB_PASSWORD" -v analyst="$PARCOURS_ANALYST_DB_PASSWORD" <<'SQL'
CREATE ROLE parcours_collect LOGIN PASSWORD :'collect';
CREATE ROLE parcours_worker LOGIN PASSWORD :'worker';
CREATE ROLE parcours_web LOGIN PASSWORD :'web';
CREATE ROLE parcours_analyst LOGIN PASSWORD :'analyst';
SQL
