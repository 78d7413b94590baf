"""Điểm Cầu: the support side of hybrid online workshops."""
