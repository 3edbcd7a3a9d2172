"""Date and time formats per language (settings.FORMAT_MODULE_PATH), over Django's own.

Only English is changed: Django's "en" is American (``12/05/2026 5:35 a.m.``); Kopiena's readers are in
Europe, so English pages show day before month and a 24-hour clock, like the Latvian and Russian pages.
Input formats are not set here, so what forms accept is Django's as before.
"""
