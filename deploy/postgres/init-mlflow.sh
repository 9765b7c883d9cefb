#!/bin/sh
# PostgreSQL's first start (/docker-entrypoint-initdb.d): a database of its own for the MLflow tracking server, owned
# by the platform's user. An existing volume skips this script: create it once with
#   docker compose -f deploy/docker-compose.yml exec postgres createdb -U "$POSTGRES_USER" mlflow
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" -c "CREATE DATABASE ${MLFLOW_DB:-mlflow} OWNER \"$POSTGRES_USER\""
