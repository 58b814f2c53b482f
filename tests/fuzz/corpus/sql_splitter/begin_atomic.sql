CREATE FUNCTION f(a int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT a + 1;
  SELECT CASE WHEN a > 0 THEN CASE WHEN a > 1 THEN 2 END ELSE 0 END;
END;
create or replace procedure p() language sql begin atomic insert into t values (1); end;
CREATE FUNCTION g() RETURNS int RETURN CASE WHEN true THEN 1 END;
BEGIN;
CREATE TABLE begin (x int);
CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2));
COMMIT;
