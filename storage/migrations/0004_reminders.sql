-- Reminders and their deliveries. The database is the source of truth for what is due; the scheduler only
-- wakes the engine. See docs/ARCHITECTURE.md, "Scheduled work".

CREATE TABLE reminders (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: old buttons carry them
    team_id       INTEGER REFERENCES teams(id) ON DELETE CASCADE,  -- NULL: a personal reminder outside teams
    user_id       INTEGER REFERENCES users(id) ON DELETE CASCADE,  -- the recipient person, or NULL for an audience
    audience_role TEXT CHECK (audience_role IN ('head', 'owner', 'member')),  -- everyone with this role in team_id
    kind          TEXT NOT NULL,        -- custom | task (rituals, digests and nudges add theirs)
    title         TEXT NOT NULL,
    rule          TEXT NOT NULL,        -- domain.schedules.Rule as JSON
    timezone      TEXT NOT NULL,        -- the rule's local time is read in this zone
    next_due_at   TEXT,                 -- UTC; NULL once finished
    state         TEXT NOT NULL CHECK (state IN ('active', 'paused', 'finished')),
    task_id       INTEGER REFERENCES tasks(id) ON DELETE CASCADE,
    created_by    INTEGER NOT NULL,     -- history only; no FK so a user can be erased
    created_at    TEXT NOT NULL,
    CHECK ((user_id IS NULL) <> (audience_role IS NULL)),
    CHECK (audience_role IS NULL OR team_id IS NOT NULL)
);
CREATE INDEX reminders_due ON reminders(next_due_at) WHERE state = 'active';
CREATE INDEX reminders_by_user ON reminders(user_id, state);
CREATE INDEX reminders_by_team ON reminders(team_id, audience_role);
CREATE UNIQUE INDEX reminders_one_per_task ON reminders(task_id) WHERE task_id IS NOT NULL;

-- One row per (reminder, occurrence, recipient): the unique key is what makes a re-run never send twice.
CREATE TABLE deliveries (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,  -- carried by the buttons of the delivered message
    reminder_id   INTEGER NOT NULL REFERENCES reminders(id) ON DELETE CASCADE,
    occurrence_at TEXT NOT NULL,        -- the series' occurrence, or the moment a snooze asked for
    recipient_id  INTEGER NOT NULL,     -- Telegram chat id: a person now, a bound group later
    snoozed_from  INTEGER REFERENCES deliveries(id) ON DELETE SET NULL,
    due_at        TEXT NOT NULL,        -- when to try next: moves on "retry later", occurrence_at does not
    status        TEXT NOT NULL CHECK (status IN ('pending', 'claimed', 'sent', 'missed', 'failed')),
    late          INTEGER NOT NULL DEFAULT 0,  -- sent after downtime: the message says it is late
    lease_until   TEXT,                 -- a claim not confirmed by then is taken again (crash between claim and send)
    claimed_by    TEXT,
    attempts      INTEGER NOT NULL DEFAULT 0,
    message_id    INTEGER,
    sent_at       TEXT,
    error         TEXT,
    outcome       TEXT CHECK (outcome IN ('done', 'skipped', 'snoozed')),
    outcome_at    TEXT,
    UNIQUE (reminder_id, occurrence_at, recipient_id)
);
CREATE INDEX deliveries_pending ON deliveries(due_at) WHERE status = 'pending';
CREATE INDEX deliveries_claimed ON deliveries(lease_until) WHERE status = 'claimed';
CREATE INDEX deliveries_by_recipient ON deliveries(recipient_id, occurrence_at);

ALTER TABLE tasks ADD COLUMN due_date TEXT;  -- local date (YYYY-MM-DD) in the head's zone, optional
ALTER TABLE users ADD COLUMN workday_start TEXT NOT NULL DEFAULT '09:00';  -- when task reminders arrive
