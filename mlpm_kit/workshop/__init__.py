"""The scorecard form, live results and the workshop server."""
