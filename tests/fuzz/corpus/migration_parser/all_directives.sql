-- parents: 002, 003
-- revision: 004.a-b_c
-- message: add guild ranks; with a ':' inside
-- transaction: none
-- lock-timeout: 1h30m
-- statement-timeout: 500ms
-- lint-disable: SG101, SG104
-- a plain comment

-- migrate:up
CREATE INDEX CONCURRENTLY guild_members_rank ON guild_members (rank_name);
CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END;

-- migrate:down
DROP INDEX CONCURRENTLY guild_members_rank;
