SELECT 1;
-- c
SELECT
  2
;
-- cSELECT 3; SELECT 4