-- parents: 004, 005
-- message: merge invites and events branches

-- migrate:up

-- migrate:down
