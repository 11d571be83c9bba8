"""One date format for Korean pages (2027년 2월 18일), and every time with its zone (KST)."""

DATE_FORMAT = "Y년 n월 j일"
SHORT_DATE_FORMAT = "Y년 n월 j일"
DATETIME_FORMAT = "Y년 n월 j일 H:i T"
SHORT_DATETIME_FORMAT = "Y년 n월 j일 H:i T"
