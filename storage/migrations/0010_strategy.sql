-- Strategy sessions (versions of a team's strategy: a later session never erases an earlier one), their answers
-- to the article-000 questions, and milestones at quarter / half-year / year. Milestone reminders are rows of
-- `reminders` with kind 'strategy' and subject_id = the milestone; the quarterly review has kind 'strategy'
-- and no subject (a reminder to the team's heads).

CREATE TABLE strategy_sessions (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    team_id     INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    created_by  INTEGER NOT NULL,     -- history only; no FK so a user can be erased
    day         TEXT NOT NULL,        -- local date (YYYY-MM-DD) the session started: horizons count from it
    started_at  TEXT NOT NULL,
    finished_at TEXT                  -- NULL while questions remain (the session is resumed from here)
);
CREATE INDEX strategy_sessions_by_team ON strategy_sessions(team_id, id);

CREATE TABLE strategy_answers (
    session_id  INTEGER NOT NULL REFERENCES strategy_sessions(id) ON DELETE CASCADE,
    question    TEXT NOT NULL,        -- domain.strategy.SESSION_QUESTIONS key
    answer      TEXT,                 -- NULL: skipped
    answered_at TEXT NOT NULL,
    PRIMARY KEY (session_id, question)
);

CREATE TABLE strategy_milestones (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused: reminder buttons carry it
    team_id         INTEGER NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    session_id      INTEGER REFERENCES strategy_sessions(id) ON DELETE SET NULL,
    horizon         TEXT NOT NULL CHECK (horizon IN ('quarter', 'half_year', 'year')),
    title           TEXT NOT NULL,
    due_date        TEXT NOT NULL,    -- local date in the team's zone
    owner_id        INTEGER NOT NULL, -- a member of the team (the head by default)
    owner_fell_back INTEGER NOT NULL DEFAULT 0,  -- the owner left the team: the milestone went to a head
    status          TEXT NOT NULL CHECK (status IN ('on_track', 'at_risk', 'done', 'dropped')),
    status_at       TEXT NOT NULL,
    created_by      INTEGER NOT NULL,
    created_at      TEXT NOT NULL
);
CREATE INDEX strategy_milestones_by_team ON strategy_milestones(team_id, status, due_date);
CREATE INDEX strategy_milestones_by_owner ON strategy_milestones(owner_id);

-- A member removed from the team (or leaving it): their milestones and the milestones' reminders go to the
-- team's first head (the reminders keep their zone and time of day), and the milestone says so. Skipped when no head remains (the team itself is being deleted).
CREATE TRIGGER strategy_owner_left AFTER DELETE ON memberships
WHEN EXISTS (SELECT 1 FROM memberships WHERE team_id = OLD.team_id AND role = 'head')
BEGIN
    -- Occurrences already queued for the person who left are not sent to them.
    DELETE FROM deliveries
    WHERE status = 'pending' AND recipient_id = OLD.user_id AND reminder_id IN (
        SELECT r.id FROM reminders r JOIN strategy_milestones s ON s.id = r.subject_id
        WHERE r.kind = 'strategy' AND s.team_id = OLD.team_id AND s.owner_id = OLD.user_id);
    UPDATE reminders
    SET user_id = (SELECT user_id FROM memberships WHERE team_id = OLD.team_id AND role = 'head'
                   ORDER BY joined_at, user_id LIMIT 1)
    WHERE kind = 'strategy' AND user_id = OLD.user_id AND subject_id IN (
        SELECT id FROM strategy_milestones WHERE team_id = OLD.team_id AND owner_id = OLD.user_id);
    UPDATE strategy_milestones
    SET owner_id = (SELECT user_id FROM memberships WHERE team_id = OLD.team_id AND role = 'head'
                    ORDER BY joined_at, user_id LIMIT 1),
        owner_fell_back = 1
    WHERE team_id = OLD.team_id AND owner_id = OLD.user_id;
END;
