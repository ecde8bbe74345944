#!/bin/sh
# First start of the database volume: the app's role (owner of its database, no superuser)
# and the database with PostGIS, which only the superuser may add.
set -eu
: "${GRIDGIS_DB_PASSWORD:?set GRIDGIS_DB_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
    -v app_password="$GRIDGIS_DB_PASSWORD" <<'SQL'
CREATE ROLE gridgis_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION
    PASSWORD :'app_password';
CREATE DATABASE gridgis OWNER gridgis_app;
\connect gridgis
CREATE EXTENSION IF NOT EXISTS postgis;
SQL
