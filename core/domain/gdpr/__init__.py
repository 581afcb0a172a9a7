"""The GDPR life cycle of a family's file: subject access, erasure, legal holds, retention."""
