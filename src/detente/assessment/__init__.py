"""Assessing a cooperation proposal against the framework."""
