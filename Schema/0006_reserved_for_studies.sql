-- 0006 is the studies branch's migration. The migrator refuses gaps, so this branch (http-api,
-- whose own migration is 0007) holds the number with an empty file: on merge, studies' 0006
-- replaces this file (delete it), and no database outside this branch's tests has applied it.
SELECT 1;
