/* outer /* inner ; */ still ; comment */ SELECT 1;
SELECT /* ; */ 2 -- trailing ; comment
;
/*/ ; */ SELECT 3; /**/SELECT 4;
-- /* not opened
SELECT 2 +--1;
 5; SELECT '--', '/*', "--/*";
