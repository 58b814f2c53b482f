-- parent: 001
-- parents: base, head, 7, 7
-- revision: heads
-- lock-timeout: 10 parsecs
-- transaction: some
SELECT 1;
-- migrate:down
-- migrate:up
-- migrate:up
