"""Asset definitions of the indicators layer: per survey, administrative, assembled country tables, SDG 3.8.1."""
