"""Fault tests: real processes killed, databases restarted, remotes that hang."""
