"""Cryptography for personal data, and the one place where access rules are enforced."""
