"""English display formats: day before month, 24-hour clock (see kopiena/formats/__init__.py)."""

DATE_FORMAT = "j M Y"  # 5 Dec 2026
TIME_FORMAT = "H:i"  # 17:05
DATETIME_FORMAT = "j M Y, H:i"  # 5 Dec 2026, 17:05
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 5 December
SHORT_DATE_FORMAT = "d/m/Y"  # 05/12/2026
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # 05/12/2026 17:05
