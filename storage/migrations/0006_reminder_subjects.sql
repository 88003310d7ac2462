-- A ritual's reminder points at the ritual it belongs to (a PDCA cycle, a call-listening plan, a training
-- assignment, a strategy milestone); `kind` says which. The delivered message opens that ritual's screen.
ALTER TABLE reminders ADD COLUMN subject_id INTEGER;
CREATE INDEX reminders_by_subject ON reminders(kind, subject_id) WHERE subject_id IS NOT NULL;
