"""mailbot: case handling for a UK council's shared member-enquiries mailbox."""

__version__ = "0.1.0"
