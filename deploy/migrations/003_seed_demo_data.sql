-- parents: 002
-- message: seed demo accounts and guilds

-- migrate:up
INSERT INTO accounts (username, email, display_name) VALUES
    ('alice', 'alice@example.com', 'Alice'),
    ('bob',   'bob@example.com',   'Bob the Builder'),
    ('carol', 'carol@example.com', 'Carol'),
    ('dave',  'dave@example.com',  NULL),
    ('erin',  'erin@example.com',  'Erin; the healer'),
    ('frank', 'frank@example.com', 'Frank');

INSERT INTO guilds (name, tag, owner_id)
SELECT v.name, v.tag, a.id
FROM (VALUES ('Iron Wolves',   'IWLF', 'alice'),
             ('Moonlit Order', 'MOON', 'carol')) AS v (name, tag, owner)
JOIN accounts a ON a.username = v.owner;

INSERT INTO guild_members (guild_id, account_id, role)
SELECT g.id, a.id, v.role
FROM (VALUES ('IWLF', 'alice', 'leader'),
             ('IWLF', 'bob',   'officer'),
             ('IWLF', 'dave',  'member'),
             ('IWLF', 'frank', 'recruit'),
             ('MOON', 'carol', 'leader'),
             ('MOON', 'erin',  'member'),
             ('MOON', 'bob',   'member')) AS v (tag, username, role)
JOIN guilds g ON g.tag = v.tag
JOIN accounts a ON a.username = v.username;

-- migrate:down
DELETE FROM guild_members
WHERE guild_id IN (SELECT id FROM guilds WHERE tag IN ('IWLF', 'MOON'));
DELETE FROM guilds WHERE tag IN ('IWLF', 'MOON');
DELETE FROM accounts
WHERE username IN ('alice', 'bob', 'carol', 'dave', 'erin', 'frank');
