"""Developer tools for end-of-turn detection: training the text model, building the measuring sets."""
