"""The hash-chained journal: events, records, the writer, the line-by-line check, head words."""
