"""docharness: run the shell transcripts and Python blocks of Markdown pages on a real Docker Engine."""
