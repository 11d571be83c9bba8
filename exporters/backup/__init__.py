"""The backup copy of published passports in a second store: replication, its checks, and restore."""
