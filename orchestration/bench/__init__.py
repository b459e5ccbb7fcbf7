"""Synthetic deliveries (`generate`) and the benchmark of the warehouse (`run`)."""
