"""Sync: the journal kept in step with folders that vdirsyncer carries to a server.

`files` holds what every sync shares (the folder, reading it, writing into it);
`tasks` is `cno sync tasks DIR` (README "Reminders: cno sync tasks").
"""
