"""Kopiena: self-hosted social media management for SMM teams."""
