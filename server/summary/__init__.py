"""The closing summary: compiled from the tables into one model, rendered as Markdown, HTML and JSON."""
