-- 0005_evidence_rules: a stored result names its evidence rules by number.
--
-- Each piece of evidence in a result carries the id of the lexicon rule that
-- matched, and a rule id is the rule itself (`bargain/便宜(一)?(点|些|…)`):
-- in a Qianniu chat of a dozen messages, more than half of the compressed
-- result. Results written from this version on give a rule that is in this
-- table as its number (`"rule": 17`); the store puts the text back when it
-- reads a result. Results written before keep their texts and are read as
-- they are, so no row is rewritten here.
--
-- Numbers are never reused or removed: a stored result may name any of them,
-- whatever lexicon is in use now.
CREATE TABLE evidence_rule (
    id   INTEGER PRIMARY KEY,
    rule TEXT    NOT NULL UNIQUE
);
