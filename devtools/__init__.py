"""Developer tools: the Bot API stand-in (botapi_*) and the offline terminal demo (demo)."""
