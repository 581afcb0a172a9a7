"""A pole's areas of intervention ("territoires", "bassins"): named sets of communes."""
