-- Team case reviews (article 000: «Разбирать неудачные кейсы на командных разборах»): a team's recurring review,
-- the cases its members send for each review, drafts in progress, and the head's decisions and action items.
-- Reviews are identified by their local date (`review_on`, YYYY-MM-DD in the series' zone).

CREATE TABLE case_series (
    id                     INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id                INTEGER NOT NULL UNIQUE REFERENCES teams(id) ON DELETE CASCADE,
    head_id                INTEGER NOT NULL,     -- who set it up and gets the agenda; no FK (history)
    weekday                INTEGER NOT NULL CHECK (weekday BETWEEN 0 AND 6),
    at                     TEXT NOT NULL,        -- HH:MM local
    interval_weeks         INTEGER NOT NULL CHECK (interval_weeks IN (1, 2)),
    timezone               TEXT NOT NULL,
    first_on               TEXT NOT NULL,        -- the first review's local date: anchors «every 2 weeks»
    questions              TEXT NOT NULL DEFAULT '[]',  -- JSON list; [] = the default template of the content
    state                  TEXT NOT NULL DEFAULT 'active' CHECK (state IN ('active', 'paused')),
    nudge_reminder_id      INTEGER REFERENCES reminders(id) ON DELETE SET NULL,
    escalation_reminder_id INTEGER REFERENCES reminders(id) ON DELETE SET NULL,
    agenda_reminder_id     INTEGER REFERENCES reminders(id) ON DELETE SET NULL,
    created_at             TEXT NOT NULL
);

-- One case per member and review: sending again replaces it.
CREATE TABLE cases (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id    INTEGER NOT NULL REFERENCES case_series(id) ON DELETE CASCADE,
    review_on    TEXT NOT NULL,
    author_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    questions    TEXT NOT NULL,                  -- JSON: the template when sent
    answers      TEXT NOT NULL,                  -- JSON list, one per question
    submitted_at TEXT NOT NULL,
    UNIQUE (series_id, review_on, author_id)
);

-- The form in progress, saved answer by answer: a restart (or another screen) resumes it.
CREATE TABLE case_drafts (
    series_id  INTEGER NOT NULL REFERENCES case_series(id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    questions  TEXT NOT NULL,
    answers    TEXT NOT NULL DEFAULT '[]',
    started_at TEXT NOT NULL,
    PRIMARY KEY (series_id, author_id)
) WITHOUT ROWID;

CREATE TABLE case_decisions (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    series_id  INTEGER NOT NULL REFERENCES case_series(id) ON DELETE CASCADE,
    review_on  TEXT NOT NULL,
    text       TEXT NOT NULL,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL
);
CREATE INDEX case_decisions_by_review ON case_decisions(series_id, review_on);

CREATE TABLE case_actions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- carried by buttons and by its reminder (subject_id)
    series_id   INTEGER NOT NULL REFERENCES case_series(id) ON DELETE CASCADE,
    review_on   TEXT NOT NULL,
    assignee_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    text        TEXT NOT NULL,
    due_on      TEXT NOT NULL,                      -- local date
    done_at     TEXT,
    created_by  INTEGER NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX case_actions_open ON case_actions(series_id, done_at);
CREATE INDEX case_actions_by_assignee ON case_actions(assignee_id, done_at);

-- The agenda posted to the team's bound group, once per review.
CREATE TABLE case_group_posts (
    series_id INTEGER NOT NULL REFERENCES case_series(id) ON DELETE CASCADE,
    review_on TEXT NOT NULL,
    chat_id   INTEGER NOT NULL,
    posted_at TEXT NOT NULL,
    PRIMARY KEY (series_id, review_on)
) WITHOUT ROWID;
