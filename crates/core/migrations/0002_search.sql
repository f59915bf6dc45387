-- 0002_search: faster writes and two-character search.
--
-- Indexing each conversation from a trigger made FTS5 flush its pending
-- terms on every row (about 5x slower imports); the store now indexes a
-- whole batch with one INSERT … SELECT after writing it.
--
-- The vocabulary table lets the store see how common a search word is
-- (to pick the full-text index or a newest-first scan) and expand a
-- two-character word into the trigrams that start with it.

DROP TRIGGER conversation_indexed;

CREATE VIRTUAL TABLE conversation_fts_vocab USING fts5vocab (conversation_fts, 'row');

-- History filters combining a label and an agent walk one index.
ALTER TABLE conversation_label ADD COLUMN agent TEXT;
UPDATE conversation_label
SET agent = (SELECT agent FROM conversation WHERE id = conversation_label.conversation_id);
CREATE INDEX conversation_label_agent ON conversation_label (code, agent, at, conversation_id);

-- Estimates and reports read the counts of one code without a full scan.
CREATE INDEX day_count_code ON day_count (code, day, agent, n);
