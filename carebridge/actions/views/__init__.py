"""The actions pages: the inbox (inbox.py), a new action (new.py), an action's thread and its
posts (thread.py), and each user's e-mail notifications (notifications.py). Every write is a
service in actions.services."""
