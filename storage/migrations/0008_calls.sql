-- Call listening (article 002): a team's weekly target, the managers in the rotation, each week's lineup and the
-- call reviews. Reviews are never deleted with a manager: a person removed from the team keeps their history.

CREATE TABLE call_plans (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id       INTEGER NOT NULL UNIQUE REFERENCES teams(id) ON DELETE CASCADE,
    head_id       INTEGER NOT NULL,     -- who set it up and gets the weekly reminder; no FK (history)
    weekly_target INTEGER NOT NULL CHECK (weekly_target BETWEEN 1 AND 50),
    timezone      TEXT NOT NULL,        -- the head's zone when last saved: weeks are counted in it
    reminder_id   INTEGER REFERENCES reminders(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL
);

CREATE TABLE call_managers (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,  -- carried by buttons; never reused
    plan_id    INTEGER NOT NULL REFERENCES call_plans(id) ON DELETE CASCADE,
    user_id    INTEGER,               -- a team member in the bot; NULL: a name typed by the head
    name       TEXT NOT NULL,         -- the typed name, or the member's name when added
    added_at   TEXT NOT NULL,
    removed_at TEXT                   -- taken out of the rotation by the head; the reviews stay
);
CREATE UNIQUE INDEX call_managers_one_per_user ON call_managers(plan_id, user_id) WHERE user_id IS NOT NULL;
CREATE INDEX call_managers_by_plan ON call_managers(plan_id);

-- Whose calls are up in a week, announced once and kept for the week (domain.calls.choose_lineup).
CREATE TABLE call_lineups (
    plan_id    INTEGER NOT NULL REFERENCES call_plans(id) ON DELETE CASCADE,
    week       TEXT NOT NULL,         -- ISO week in the head's zone, e.g. 2026-W49
    manager_id INTEGER NOT NULL REFERENCES call_managers(id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    PRIMARY KEY (plan_id, week, manager_id)
);

CREATE TABLE call_reviews (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id     INTEGER NOT NULL REFERENCES call_plans(id) ON DELETE CASCADE,
    manager_id  INTEGER NOT NULL REFERENCES call_managers(id) ON DELETE CASCADE,
    reviewer_id INTEGER NOT NULL,     -- no FK (history)
    week        TEXT NOT NULL,        -- ISO week in the head's zone when saved
    points      INTEGER NOT NULL,
    max_points  INTEGER NOT NULL,
    praise      TEXT NOT NULL DEFAULT '',
    fix         TEXT NOT NULL DEFAULT '',
    feedback    TEXT NOT NULL CHECK (feedback IN ('private', 'sent', 'blocked', 'failed')),
    created_at  TEXT NOT NULL
);
CREATE INDEX call_reviews_by_week ON call_reviews(plan_id, week);
CREATE INDEX call_reviews_by_time ON call_reviews(plan_id, created_at);
CREATE INDEX call_reviews_by_manager ON call_reviews(manager_id, created_at);

CREATE TABLE call_review_scores (
    review_id INTEGER NOT NULL REFERENCES call_reviews(id) ON DELETE CASCADE,
    position  INTEGER NOT NULL,       -- the criterion's place in the checklist when reviewed
    criterion TEXT NOT NULL,          -- a key of content calls.review.criteria
    score     INTEGER CHECK (score IS NULL OR score BETWEEN 0 AND 2),  -- NULL: not applicable in this call
    note      TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (review_id, criterion)
);
