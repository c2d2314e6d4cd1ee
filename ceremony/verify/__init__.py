"""The auditor's checks of a transcript: signatures, journal, artifacts, chains and lint."""
