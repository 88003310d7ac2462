"""Views: content texts + keyboards for each screen. Handlers call these; no text literals here either."""
