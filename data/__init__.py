"""Reference data of the RCEP origin engine (see SOURCES.md in this folder)."""
