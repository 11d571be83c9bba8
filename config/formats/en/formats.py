"""One date format for English pages, unambiguous on both sides of the Atlantic (Feb. 18, 2027, never
02/18/2027), and every time with its zone."""

DATE_FORMAT = "N j, Y"
SHORT_DATE_FORMAT = "N j, Y"
DATETIME_FORMAT = "N j, Y, H:i T"
SHORT_DATETIME_FORMAT = "N j, Y, H:i T"
