"""The signed PDF transcript: its content, pages, embedded files and PAdES signature."""
