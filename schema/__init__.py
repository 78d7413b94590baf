"""The data model of Điểm Cầu and its migrations."""
