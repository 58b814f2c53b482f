SELECT N'a;b', B'01', X'ff', U&'d\0061t;', u&"x;y", e'it\'s;';
SELECT 1e'\';', 1.5, 1.e'\';', $1e'\';', $2, $tag$ ; $tag$;
CREATE X'00' FUNCTION f() BEGIN ATOMIC SELECT 1; END;
create or replace function g() returns int language sql begin atomic select (case when true then 1 end); end;
SELECT ")" ; SELECT (1;2);
