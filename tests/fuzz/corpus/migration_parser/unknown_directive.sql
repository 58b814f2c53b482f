-- parents: 001
-- transactoin: none

-- migrate:up
CREATE TABLE t2 (id integer PRIMARY KEY);

-- migrate:down
DROP TABLE t2;
