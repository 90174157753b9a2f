"""Reports: periods and cut-offs, the report's content from history, and its writers."""
