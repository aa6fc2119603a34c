"""The rules of SYSTEM.md as plain Python: no web, no ORM. Read them next to the brief."""
