"""Asset definitions of the staging layer: validated canonical tables, per source."""
