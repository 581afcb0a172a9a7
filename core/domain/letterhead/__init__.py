"""The pole's letterhead on its printed documents: name, address, contact, colours, logo."""
