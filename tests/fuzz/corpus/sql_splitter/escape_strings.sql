SELECT E'it\'s; ok', e'\\', E'a''b;c', 'C:\', 'it''s; fine';
SELECT E'a\
;';
SELECT somee'\'; SELECT 1e'\'; SELECT $e'\';';
SELECT B'10;1', x'1F;', N'x;\', U&'d\0061t;\', 1 AS U&"a;\0062", 1 AS "a""; b";
