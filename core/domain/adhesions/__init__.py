"""Memberships (« adhésions »), partnership conventions, price list, invoices and payments."""
