"""docharness: run the shell transcripts and Python blocks of Markdown pages against a real Docker Engine."""
