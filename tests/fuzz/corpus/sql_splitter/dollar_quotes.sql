CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.updated_at := now(); -- not a comment; inside the body
    RETURN NEW;
END;
$$;
DO $do$ BEGIN PERFORM $a$ ; $b$ ; $$ ; $a$; END $do$;
SELECT $_x1$ ; $_x1$, $1, foo$bar$, a$$, $ ;
SELECT $é$ ; $é$;
PREPARE p AS SELECT $1;EXECUTE p($2);
