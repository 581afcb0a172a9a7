"""French administrative territory (communes, EPCI, départements, régions): reference data."""
