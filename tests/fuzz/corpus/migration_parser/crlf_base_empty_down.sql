-- Parents: base
--   MIGRATE:UP
SELECT $$;$$;
-- migrate:down
