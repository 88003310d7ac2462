-- A team's group chat (issue 8, group chats): one group per team and one team per group. Agendas and nudges of
-- the team may be posted there; personal data never is. `chat_id` is Telegram's (negative for groups); a group
-- that becomes a supergroup gets a new id and keeps its binding (storage/groups.py, migrate).
CREATE TABLE team_groups (
    team_id  INTEGER PRIMARY KEY REFERENCES teams(id) ON DELETE CASCADE,
    chat_id  INTEGER NOT NULL UNIQUE,
    title    TEXT NOT NULL,
    bound_by INTEGER NOT NULL,
    bound_at TEXT NOT NULL
);
