"""The one base class of errors a user can fix (bad file, key, name, range, address).

The CLI turns a UserError into a one-paragraph message and exit code 2, never a traceback;
anything else is a bug and keeps its traceback.
"""


class UserError(Exception):
    """Bad input from the user: the message says what is wrong and what is allowed."""
