"""docharness: run a Markdown page's shell transcripts and Python blocks on a real Docker."""
