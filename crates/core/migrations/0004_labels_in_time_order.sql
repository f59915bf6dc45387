-- 0004_labels_in_time_order: label filters read the labels from the
-- history-order indexes; label rows are kept by conversation.
--
-- Each label of each conversation was a row in two indexes in history
-- order, (code, at, conversation) and (code, agent, at, conversation).
-- When an import holds chats from all over the year, every such row
-- lands on a different page: at a million conversations, more than half
-- of the pages an import wrote (10,000 chats of a year's backlog: 41,597
-- of 77,535 pages). Now a conversation's labels are one bit set in
-- `conversation.labels`, which the time-ordered indexes carry, so a
-- label filter tests the bits while it walks them; the label rows are
-- ordered by conversation, and new conversations append to them.

-- The bit of each label code in `conversation.labels`. Fixed: a label
-- added later takes the next free bit.
CREATE TABLE label_bit (
    code TEXT    PRIMARY KEY,
    bit  INTEGER NOT NULL UNIQUE
) WITHOUT ROWID;
INSERT INTO label_bit (code, bit) VALUES
    ('practical', 0), ('aesthetic', 1), ('prestige', 2), ('bargain', 3),
    ('safety', 4), ('novelty', 5), ('speed', 6), ('conformity', 7),
    ('habit', 8), ('novice', 9), ('experienced', 10), ('unknown', 11),
    ('shopper', 12), ('info_seeker', 13), ('non_buyer', 14), ('stock', 15),
    ('size', 16), ('quality', 17), ('shipping', 18), ('discount', 19),
    ('returns', 20);

-- The effective labels (after corrections) as bits.
ALTER TABLE conversation ADD COLUMN labels INTEGER NOT NULL DEFAULT 0;
UPDATE conversation SET labels = bits.labels
FROM (
    SELECT l.conversation_id AS id, sum(1 << b.bit) AS labels
    FROM conversation_label l JOIN label_bit b ON b.code = l.code
    GROUP BY l.conversation_id
) AS bits
WHERE bits.id = conversation.id;

DROP INDEX conversation_at;
DROP INDEX conversation_agent_at;
DROP INDEX conversation_corrected_at;
CREATE INDEX conversation_at ON conversation (at, id, labels);
CREATE INDEX conversation_agent_at ON conversation (agent, at, id, labels);
CREATE INDEX conversation_corrected_at ON conversation (at, id, labels) WHERE corrected = 1;

-- Label rows keyed by conversation. The triggers that name the table go
-- first and come back after it is replaced.
DROP TRIGGER conversation_uncounted;
DROP TRIGGER label_uncounted;
CREATE TABLE conversation_label_by_conversation (
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    code            TEXT    NOT NULL,
    axis            TEXT    NOT NULL,
    corrected       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (conversation_id, code)
) WITHOUT ROWID;
INSERT INTO conversation_label_by_conversation (conversation_id, code, axis, corrected)
SELECT conversation_id, code, axis, corrected FROM conversation_label
ORDER BY conversation_id, code;
DROP TABLE conversation_label;
ALTER TABLE conversation_label_by_conversation RENAME TO conversation_label;

-- BEFORE, so that the labels leave while their conversation (its time
-- and agent) can still be read.
CREATE TRIGGER conversation_uncounted BEFORE DELETE ON conversation BEGIN
    DELETE FROM conversation_label WHERE conversation_id = OLD.id;
    UPDATE day_count SET n = n - 1
    WHERE day = OLD.at / 86400 AND agent = coalesce(OLD.agent, '') AND code = '';
END;
CREATE TRIGGER label_uncounted AFTER DELETE ON conversation_label BEGIN
    UPDATE day_count SET n = n - 1
    WHERE day = (SELECT at FROM conversation WHERE id = OLD.conversation_id) / 86400
      AND agent = coalesce((SELECT agent FROM conversation WHERE id = OLD.conversation_id), '')
      AND code = OLD.code;
END;
