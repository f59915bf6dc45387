-- 0003_faster_writes: what an import writes per conversation, cut down.
--
-- 1. `classification.result` holds, from this version on, an LZ4 block
--    (its length prepended) of the result JSON, as a BLOB. The JSON repeats
--    the messages and names every rule: about six times the transcript's
--    size, and most of the bytes an import wrote. Rows written before stay
--    TEXT and are read as they are.
-- 2. `day_count` is no longer kept by insert triggers: the store adds a
--    batch's counts itself, one upsert per day, agent and code. The
--    triggers made SQLite keep a statement journal for every insert.
--    Deletions are still counted by their triggers.
--
-- Existing rows and counts stay as they are; the version number also makes
-- an older build refuse a database whose results it could not read.

DROP TRIGGER conversation_counted;
DROP TRIGGER label_counted;
