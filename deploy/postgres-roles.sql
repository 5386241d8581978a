-- Carebridge's database and its two roles (docs/deploy.md, "PostgreSQL"). Run once, as postgres:
--   psql -v owner=carebridge_owner -v app=carebridge -v db=carebridge -f deploy/postgres-roles.sql
-- The owner owns the database, its schema and every table, and is used only by `migrate` during a
-- release. The application (the web, the worker, the backup) reads and writes rows and nothing
-- else: it cannot create, alter or drop a table, nor turn off the audit log's triggers, which
-- only a table's owner may do. scripts/deploy-check.sh runs this same file.
CREATE ROLE :"owner" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT;
CREATE DATABASE :"db" OWNER :"owner";
REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
GRANT CONNECT ON DATABASE :"db" TO :"app";
\connect :"db"
ALTER SCHEMA public OWNER TO :"owner";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
GRANT USAGE ON SCHEMA public TO :"app";
-- Every table and sequence the owner's migrations create, now and later.
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
