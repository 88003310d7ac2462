-- Training modules (content/ru/training/*.yaml): attempts with their answers, and the head's assignments.
-- Progress belongs to a person in a team; it outlives assignments and memberships.

CREATE TABLE training_assignments (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,  -- ids are never reused: reminders and buttons carry them
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,  -- who takes the modules
    assigned_by INTEGER NOT NULL,       -- the head; history only
    state       TEXT NOT NULL CHECK (state IN ('active', 'done', 'replaced', 'removed')),
    rule        TEXT NOT NULL,          -- domain.schedules.Rule as JSON (weekly: weekday + time)
    timezone    TEXT NOT NULL,          -- the person's zone (or the team's) the rule is read in
    created_at  TEXT NOT NULL,
    ended_at    TEXT
);
-- One active assignment per person and team: a new one replaces the old one.
CREATE UNIQUE INDEX training_assignments_one_active ON training_assignments(team_id, user_id) WHERE state = 'active';

CREATE TABLE training_assignment_items (
    assignment_id INTEGER NOT NULL REFERENCES training_assignments(id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    module_key    TEXT NOT NULL,
    due_at        TEXT NOT NULL,        -- UTC: the occurrence at which the module is given
    completed_at  TEXT,                 -- when the person passed it
    PRIMARY KEY (assignment_id, position),
    UNIQUE (assignment_id, module_key)
);
CREATE INDEX training_items_due ON training_assignment_items(due_at);

CREATE TABLE training_attempts (
    id            INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id       INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    module_key    TEXT NOT NULL,
    assignment_id INTEGER REFERENCES training_assignments(id) ON DELETE SET NULL,
    status        TEXT NOT NULL CHECK (status IN ('in_progress', 'finished', 'abandoned')),
    screens_read  INTEGER NOT NULL DEFAULT 0,
    started_at    TEXT NOT NULL,
    finished_at   TEXT,
    score         INTEGER,
    passed        INTEGER
);
CREATE INDEX training_attempts_by_person ON training_attempts(team_id, user_id, module_key);
CREATE INDEX training_attempts_passed ON training_attempts(team_id, finished_at) WHERE passed = 1;

-- One row per question: the primary key keeps the first answer (INSERT OR IGNORE), so a double tap counts once.
CREATE TABLE training_answers (
    attempt_id  INTEGER NOT NULL REFERENCES training_attempts(id) ON DELETE CASCADE,
    question    INTEGER NOT NULL,
    option      INTEGER NOT NULL,
    correct     INTEGER NOT NULL,
    answered_at TEXT NOT NULL,
    PRIMARY KEY (attempt_id, question)
);

-- A person removed from a team (or leaving it) while assigned: the assignment ends and its reminder stops;
-- attempts and answers stay. Done here so that every way out of a team does it, in the same transaction.
CREATE TRIGGER training_member_gone AFTER DELETE ON memberships
BEGIN
    DELETE FROM deliveries WHERE status = 'pending' AND reminder_id IN (
        SELECT r.id FROM reminders r JOIN training_assignments a ON r.kind = 'training' AND r.subject_id = a.id
        WHERE a.team_id = OLD.team_id AND a.user_id = OLD.user_id AND a.state = 'active');
    UPDATE reminders SET state = 'finished', next_due_at = NULL
        WHERE kind = 'training' AND subject_id IN (
            SELECT id FROM training_assignments
            WHERE team_id = OLD.team_id AND user_id = OLD.user_id AND state = 'active');
    UPDATE training_assignments SET state = 'removed'
        WHERE team_id = OLD.team_id AND user_id = OLD.user_id AND state = 'active';
END;
