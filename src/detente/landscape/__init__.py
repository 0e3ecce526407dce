"""The collaboration landscape (the paper's Figure 1): who co-authors AI-safety research with whom."""
