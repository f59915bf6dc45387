-- 0001_init: the first BuyerLens schema. Everything a shop keeps: the
-- conversations, every classification run (labels as rows so reports can
-- query them), supervisors' corrections, reply templates and their uses,
-- lexicon versions, and small settings.
--
-- Times are INTEGER seconds of local wall-clock time (the shop's time zone,
-- the way chat exports write them), passed in by the caller.

-- Marks the file as a BuyerLens database ('BYLN'), so a foreign SQLite
-- file is recognised and never migrated over.
PRAGMA application_id = 1113148494;

CREATE TABLE conversation (
    id           INTEGER PRIMARY KEY,
    -- blake3 of the text with line endings and outer whitespace normalised:
    -- re-importing the same chat adds nothing.
    content_hash BLOB    NOT NULL UNIQUE,
    text         TEXT    NOT NULL,
    -- 'paste', or the path of the file it was imported from.
    source       TEXT    NOT NULL,
    -- Where in the source: a JSONL id, a row or a chat number.
    source_ref   TEXT,
    agent        TEXT,
    buyer        TEXT,
    shop         TEXT,
    format       TEXT,
    chat_at      INTEGER,
    imported_at  INTEGER NOT NULL,
    -- The history order: the time of the chat, or of the import when the
    -- transcript shows none.
    at           INTEGER NOT NULL,
    corrected    INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX conversation_at ON conversation (at, id);
CREATE INDEX conversation_agent_at ON conversation (agent, at, id);
CREATE INDEX conversation_corrected_at ON conversation (at, id) WHERE corrected = 1;

-- One row per classification run; `result` is the full result JSON
-- (messages and evidence) for display.
CREATE TABLE classification (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    lexicon_version TEXT    NOT NULL,
    classified_at   INTEGER NOT NULL,
    result          TEXT    NOT NULL
);
CREATE INDEX classification_conversation ON classification (conversation_id, id);

-- The labels each run produced, as the classifier said them.
CREATE TABLE classification_label (
    classification_id INTEGER NOT NULL REFERENCES classification (id) ON DELETE CASCADE,
    code              TEXT    NOT NULL,
    axis              TEXT    NOT NULL,
    score             REAL    NOT NULL,
    PRIMARY KEY (classification_id, code)
) WITHOUT ROWID;

-- The labels history shows and filters on: the latest run's labels with
-- supervisors' corrections applied. `at` is copied from the conversation
-- so that a label filter walks one index in history order.
CREATE TABLE conversation_label (
    code            TEXT    NOT NULL,
    at              INTEGER NOT NULL,
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    axis            TEXT    NOT NULL,
    corrected       INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (code, at, conversation_id)
) WITHOUT ROWID;
CREATE INDEX conversation_label_conversation ON conversation_label (conversation_id, code);

-- A supervisor's override of one axis of one conversation. `old_value`
-- and `new_value` are comma-separated label codes.
CREATE TABLE correction (
    id              INTEGER PRIMARY KEY,
    conversation_id INTEGER NOT NULL REFERENCES conversation (id) ON DELETE CASCADE,
    axis            TEXT    NOT NULL,
    old_value       TEXT    NOT NULL,
    new_value       TEXT    NOT NULL,
    who             TEXT    NOT NULL,
    note            TEXT,
    at              INTEGER NOT NULL
);
CREATE INDEX correction_conversation ON correction (conversation_id, id);

-- Counts per local day, agent ('' when unknown) and label code; code ''
-- counts conversations. Kept by triggers so reports over a million
-- conversations read a few thousand rows.
CREATE TABLE day_count (
    day   INTEGER NOT NULL,
    agent TEXT    NOT NULL,
    code  TEXT    NOT NULL,
    n     INTEGER NOT NULL,
    PRIMARY KEY (day, agent, code)
) WITHOUT ROWID;

CREATE TRIGGER conversation_counted AFTER INSERT ON conversation BEGIN
    INSERT INTO day_count (day, agent, code, n)
    VALUES (NEW.at / 86400, coalesce(NEW.agent, ''), '', 1)
    ON CONFLICT (day, agent, code) DO UPDATE SET n = n + 1;
END;
-- BEFORE, so that the labels leave while their conversation (and its
-- agent) can still be read.
CREATE TRIGGER conversation_uncounted BEFORE DELETE ON conversation BEGIN
    DELETE FROM conversation_label WHERE conversation_id = OLD.id;
    UPDATE day_count SET n = n - 1
    WHERE day = OLD.at / 86400 AND agent = coalesce(OLD.agent, '') AND code = '';
END;
CREATE TRIGGER label_counted AFTER INSERT ON conversation_label BEGIN
    INSERT INTO day_count (day, agent, code, n)
    VALUES (NEW.at / 86400,
            (SELECT coalesce(agent, '') FROM conversation WHERE id = NEW.conversation_id),
            NEW.code, 1)
    ON CONFLICT (day, agent, code) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER label_uncounted AFTER DELETE ON conversation_label BEGIN
    UPDATE day_count SET n = n - 1
    WHERE day = OLD.at / 86400
      AND agent = coalesce((SELECT agent FROM conversation WHERE id = OLD.conversation_id), '')
      AND code = OLD.code;
END;

-- Full-text search over transcripts. Trigram tokens work for Chinese,
-- which has no spaces; a trailing newline is indexed so that a two-
-- character search (a trigram prefix query) also finds a word at the end.
CREATE VIRTUAL TABLE conversation_fts USING fts5 (
    text,
    content = '',
    contentless_delete = 1,
    tokenize = 'trigram'
);
CREATE TRIGGER conversation_indexed AFTER INSERT ON conversation BEGIN
    INSERT INTO conversation_fts (rowid, text) VALUES (NEW.id, NEW.text || char(10));
END;
CREATE TRIGGER conversation_unindexed AFTER DELETE ON conversation BEGIN
    DELETE FROM conversation_fts WHERE rowid = OLD.id;
END;

-- Reply templates (话术). `key` is the stable id of a template from a
-- pack, so that importing a pack again updates instead of duplicating.
CREATE TABLE template (
    id           INTEGER PRIMARY KEY,
    key          TEXT    UNIQUE,
    title        TEXT    NOT NULL,
    body         TEXT    NOT NULL,
    grp          TEXT    NOT NULL DEFAULT '',
    shortcut     TEXT,
    enabled      INTEGER NOT NULL DEFAULT 1,
    use_count    INTEGER NOT NULL DEFAULT 0,
    last_used_at INTEGER,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL
);

-- Label codes a template answers (motive, experience, intent, topic).
CREATE TABLE template_tag (
    template_id INTEGER NOT NULL REFERENCES template (id) ON DELETE CASCADE,
    code        TEXT    NOT NULL,
    PRIMARY KEY (template_id, code)
) WITHOUT ROWID;

-- Which template an agent used for which conversation.
CREATE TABLE template_use (
    id              INTEGER PRIMARY KEY,
    template_id     INTEGER NOT NULL REFERENCES template (id) ON DELETE CASCADE,
    conversation_id INTEGER REFERENCES conversation (id) ON DELETE SET NULL,
    at              INTEGER NOT NULL
);
CREATE INDEX template_use_template ON template_use (template_id, at);
CREATE INDEX template_use_conversation ON template_use (conversation_id);

-- Lexicon versions edited in the app; none active means the shipped
-- default in assets/.
CREATE TABLE lexicon_version (
    id         INTEGER PRIMARY KEY,
    version    TEXT    NOT NULL,
    source     TEXT    NOT NULL,
    note       TEXT,
    created_at INTEGER NOT NULL,
    active     INTEGER NOT NULL DEFAULT 0
);
CREATE UNIQUE INDEX lexicon_version_active ON lexicon_version (active) WHERE active = 1;

-- Small settings (e.g. whether personal data is masked before writing).
CREATE TABLE setting (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
) WITHOUT ROWID;
