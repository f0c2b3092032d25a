"""Asset definitions of the raw layer: the input files as read, per source."""
