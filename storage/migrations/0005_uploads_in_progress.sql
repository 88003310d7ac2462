-- Files people sent that are being processed right now (a CRM export, a plans table). The raw file sits in its
-- own folder under <database folder>/uploads/ only while its row exists. A row found at start means the bot was
-- killed half-way: the folder is deleted, the person is told to send the file again, the row goes.
CREATE TABLE uploads_in_progress (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL,  -- who sent it; no FK: the row must outlive anything to be cleaned up
    chat_id    INTEGER NOT NULL,  -- where to tell
    message_id INTEGER,           -- the progress message to edit; NULL: send a new message
    folder     TEXT NOT NULL UNIQUE,  -- the folder's name under uploads/ (a name, never a path)
    started_at TEXT NOT NULL
);
