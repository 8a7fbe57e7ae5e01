"""Mailbox backends: one module per kind of mailbox, all behind `Mailbox`."""
