"""The staffrec review portal (Flask); built in a later issue."""
