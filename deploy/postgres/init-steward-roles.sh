#!/bin/bash
# Run once by the postgres image on the first start of an empty data volume (mounted into
# /docker-entrypoint-initdb.d by docker-compose.yml). Creates Steward's two roles:
#   steward_owner  owns the `steward` database and its schema; migrations run as it.
#   steward_app    what the API and the worker connect as: no superuser, no CREATEROLE, owns
#                  nothing, so it cannot disable the audit log's triggers, alter or drop its
#                  tables; `npm run migration:run` grants it DML (SELECT and INSERT only on the
#                  append-only tables).
# Passwords come from the environment, never from this file; psql quotes them (:'var').
set -euo pipefail
: "${STEWARD_DB_OWNER_PASSWORD:?set STEWARD_DB_OWNER_PASSWORD}"
: "${STEWARD_DB_APP_PASSWORD:?set STEWARD_DB_APP_PASSWORD}"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v owner_password="$STEWARD_DB_OWNER_PASSWORD" -v app_password="$STEWARD_DB_APP_PASSWORD" <<'SQL'
CREATE ROLE steward_owner LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS PASSWORD :'owner_password';
CREATE ROLE steward_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS NOINHERIT PASSWORD :'app_password';
ALTER DATABASE steward OWNER TO steward_owner;
REVOKE ALL ON DATABASE steward FROM PUBLIC;
GRANT CONNECT ON DATABASE steward TO steward_app;
-- PostgreSQL 15: the public schema belongs to pg_database_owner, i.e. steward_owner now.
-- The application may use it, never create in it.
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO steward_app;
SQL
